/** mempool's public API: the PoolClient and the types it returns. */
export { PoolClient, PoolClientOptions, NameForm, Owner, O } from './client/pool-client';
export { FsError, Errno, errnoOf } from './errors';
export { PosixLock, LockInfo } from './client/locks';
export { F_RDLCK, F_WRLCK, F_UNLCK, LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN, LOCK_EOF } from './posix';
export { Attr, DirEntry, StatFs, PoolStatus, NodeStatus } from './types';
export { Manager, ManagerOptions } from './manager/manager';
export { MemoryNode, MemoryNodeOptions } from './node/memory-node';
