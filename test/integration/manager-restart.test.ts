/**
 * Issue 10, embedded journal: kill -9 the manager of a pool with files (written through a mount and through
 * PoolClient: directories, a file of many chunks, hard links, symlinks, xattrs), restart it on the same port
 * with the same --data-dir: everything is back byte-exact through the same mount (no remount), the memory
 * nodes keep their chunks, and new files get inode numbers that never meet an old file's chunks.
 */
import { mkdirSync, rmSync } from 'fs';
import { join } from 'path';
import { PoolClient } from '../../src';
import { dial, Msg } from '../../transport';
import { killAll, mempool, Proc, startCluster, Cluster, tempDir } from '../helpers/procs';
import { canMount, mountAt, mountsUnder, sh, unmount } from '../helpers/mounts';
import { cliStatus, statusWhen } from '../helpers/status';

const SECRET = 'manager-restart-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };
const maybe = canMount() ? describe : describe.skip;

/** Everything a mount shows of a tree: types, modes, sizes, link counts, symlink targets, xattrs and content hashes. */
function manifest(mnt: string): string {
  return sh(`cd ${mnt} && find . -printf '%p %y %m %s %n %l\\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum && getfattr -R -d -m - --absolute-names . 2>/dev/null | sort`);
}

maybe('the manager restarts from its journal', () => {
  let root: string;
  let mnt: string;
  let dataDir: string;
  let cluster: Cluster;
  let manager: Proc;
  let port: string;
  let mount: Proc | null = null;
  let client: PoolClient | null = null;

  beforeAll(async () => {
    root = tempDir('mempool-restart-');
    mnt = join(root, 'mnt');
    dataDir = join(root, 'meta');
    mkdirSync(mnt);
    cluster = await startCluster({ nodes: 3, secret: SECRET, chunkSize: '64KiB', extraManagerArgs: ['--data-dir', dataDir] });
    manager = cluster.manager;
    port = new URL(cluster.url).port;
    mount = await mountAt(cluster.url, mnt, ENV);
    client = await PoolClient.connect(cluster.url, { secret: SECRET });
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await unmount(mount, mnt).catch(() => undefined);
    await killAll();
    const left = mountsUnder(root).size;
    rmSync(root, { recursive: true, force: true });
    if (left > 0) throw new Error(`${left} mounts left under ${root}`);
  });

  /** Kills the manager (-9 or a clean SIGTERM) and starts it again on the same port and data dir; waits until the 3 nodes are back. */
  async function restart(signal: NodeJS.Signals): Promise<void> {
    await manager.stop(signal);
    manager = mempool(['manager', '--listen', `127.0.0.1:${port}`, '--chunk-size', '64KiB', '--data-dir', dataDir], ENV);
    await manager.waitFor(/listening on/);
    const st = await statusWhen(cluster.url, (s) => s.nodes.filter((n) => n.alive).length === 3, 15_000, ENV);
    expect(st.nodes.filter((n) => n.alive)).toHaveLength(3);
  }

  test('kill -9 and restart: the tree is back byte-exact through the same mount, the nodes keep their chunks', async () => {
    expect(manager.output()).toMatch(/0 records replayed/);
    sh(`cd ${mnt} && mkdir -p a/b/c d && head -c 1500000 /dev/urandom > a/b/c/big && head -c 5000 /dev/urandom > d/small && printf hello > a/hi`);
    sh(`cd ${mnt} && ln a/hi d/hi-link && ln -s ../a/b/c/big d/sym && setfattr -n user.color -v blue a/hi && chmod 640 d/small && mkfifo d/fifo && touch -d @1000000000 a/b`);
    await client!.mkdir('/api');
    await client!.writeFile('/api/one', Buffer.alloc(200_000, 0x5a));
    await client!.setxattr('/api/one', 'user.bin', Buffer.from([0, 1, 2, 255]));
    await client!.rename('/api/one', '/api/two');
    await client!.link('/api/two', '/a/two-link');
    await client!.writeFile('/api/gone', Buffer.from('removed before the crash'));
    await client!.unlink('/api/gone');
    const before = manifest(mnt);
    const maxIno = Number(sh(`find ${mnt} -printf '%i\\n' | sort -n | tail -1`).trim());
    const chunksBefore = (await statusWhen(cluster.url, (s) => s.chunks > 0, 5000, ENV)).chunks;

    await restart('SIGKILL');
    expect(manager.output()).toMatch(/[1-9]\d* records replayed/);
    expect(manifest(mnt)).toBe(before);
    const st = cliStatus(cluster.url, ENV);
    expect(st.chunks).toBe(chunksBefore); // no chunk deleted as an orphan
    expect(await client!.getxattr('/api/two', 'user.bin')).toEqual(Buffer.from([0, 1, 2, 255]));

    // The bug of the issue: a new file after the restart read old files' bytes (its inode number was reused).
    sh(`cd ${mnt} && truncate -s 2M fresh && head -c 4096 /dev/urandom | tr '\\000' x > page && dd if=page of=fresh conv=notrunc status=none`);
    const freshIno = Number(sh(`stat -c %i ${mnt}/fresh`).trim());
    expect(freshIno).toBeGreaterThan(maxIno);
    expect(sh(`tr -d '\\000' < ${mnt}/fresh | wc -c`).trim()).toBe('4096');
    const other = await client!.readFile('/fresh'); // another client, through the memory nodes
    expect(other.length).toBe(2 * 1024 * 1024);
    expect(other.subarray(4096).every((b) => b === 0)).toBe(true);
    expect(other.subarray(0, 4096).includes(0)).toBe(false);
  }, 120_000);

  test('a clean stop writes a snapshot; a restart from it and a second kill -9 still give the same tree', async () => {
    const before = manifest(mnt);
    await restart('SIGTERM');
    expect(manager.output()).toMatch(/0 records replayed after snapshot [1-9]/);
    expect(manifest(mnt)).toBe(before);
    sh(`cd ${mnt} && mkdir e && echo after > e/f && rm a/hi`);
    const after = manifest(mnt);
    await restart('SIGKILL');
    expect(manifest(mnt)).toBe(after);
    expect(sh(`cat ${mnt}/e/f`)).toBe('after\n');
  }, 120_000);

  test('an unlinked file held open across the restart is re-registered by its client and kept; freed at its last close', async () => {
    const { O } = await import('../../src');
    const data = Buffer.alloc(150_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const fh = await client!.open('/held', O.RDWR | O.CREAT);
    await client!.write(fh, 0, data);
    await client!.fsync(fh);
    await client!.unlink('/held');
    const files = cliStatus(cluster.url, ENV).files;
    await restart('SIGKILL');
    await manager.waitFor(/unlinked files open before the restart: 0 freed, 1 still open/, 40_000);
    expect((await client!.read(fh, 0, data.length)).equals(data)).toBe(true);
    expect(cliStatus(cluster.url, ENV).files).toBe(files);
    await client!.release(fh);
    const st = await statusWhen(cluster.url, (s) => s.files === files - 1, 10_000, ENV);
    expect(st.files).toBe(files - 1);
  }, 120_000);

  test('a call with a request id takes effect once, also when retried after a restart; a call made during the outage stalls, then succeeds', async () => {
    const hello = { role: 'client' as const, id: 'retrying-client', name: 'test' };
    const raw = () => dial(cluster.url, { secret: SECRET, hello, maxPayload: 1 << 20 });
    await client!.writeFile('/app', Buffer.from('0123456789'));
    const ino = (await client!.getattr('/app')).ino;
    let peer = await raw();
    const made = await peer.request(Msg.Mkdir, { path: '/once', mode: 0o755, uid: 0, gid: 0, rid: 1 });
    const again = await peer.request(Msg.Mkdir, { path: '/once', mode: 0o755, uid: 0, gid: 0, rid: 1 });
    expect(again.meta).toEqual(made.meta); // not EEXIST: the first outcome
    const off = await peer.request(Msg.AppendReserve, { ino, len: 5, rid: 2 });
    expect(off.meta.offset).toBe(10);
    expect((await peer.request(Msg.AppendReserve, { ino, len: 5, rid: 2 })).meta.offset).toBe(10);
    await peer.request(Msg.Rename, { src: '/once', dst: '/twice', flags: 0, rid: 3 });
    peer.close('test');

    await restart('SIGKILL');
    peer = await raw();
    expect((await peer.request(Msg.Mkdir, { path: '/once', mode: 0o755, uid: 0, gid: 0, rid: 1 })).meta).toEqual(made.meta);
    expect((await peer.request(Msg.AppendReserve, { ino, len: 5, rid: 2 })).meta.offset).toBe(10);
    await peer.request(Msg.Rename, { src: '/once', dst: '/twice', flags: 0, rid: 3 }); // not ENOENT
    peer.close('test');
    expect((await client!.getattr('/app')).size).toBe(15); // reserved once
    expect((await client!.getattr('/twice')).ino).toBe((made.meta.attr as { ino: number }).ino);
    await expect(client!.getattr('/once')).rejects.toThrow(/ENOENT|inode|once/);

    // A call made while the manager is down waits for it instead of failing.
    await manager.stop('SIGKILL');
    const during = client!.mkdir('/made-during-outage');
    await new Promise((r) => setTimeout(r, 1500));
    await restart('SIGKILL');
    await during;
    expect((await client!.getattr('/made-during-outage')).mode & 0o170000).toBe(0o040000);
  }, 120_000);

  test('a manager without --data-dir says its metadata is volatile', async () => {
    const m = mempool(['manager', '--listen', '127.0.0.1:0'], ENV);
    await m.waitFor(/listening on/);
    expect(m.output()).toMatch(/metadata is volatile/);
    await m.stop();
  });
});

describe('with root squashed, handles open for writing across a restart still write', () => {
  let root: string;
  let dataDir: string;
  let cluster: Cluster;
  let manager: Proc;
  let client: PoolClient | null = null;

  beforeAll(async () => {
    root = tempDir('mempool-restart-squash-');
    dataDir = join(root, 'meta');
    cluster = await startCluster({ nodes: 1, secret: SECRET, extraManagerArgs: ['--data-dir', dataDir, '--squash-root'] });
    manager = cluster.manager;
    // root, squashed to nobody, as a mount's own link is: each handle is opened as its user, write-back goes as the link
    client = await PoolClient.connect(cluster.url, { secret: SECRET, uid: 0, gid: 0, groups: [] });
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  test('write and fsync after kill -9 of the manager succeed on a 0600 file and on a file created 0444, and the data is there', async () => {
    const { O } = await import('../../src');
    const user = { uid: 1000, gid: 1000 };
    const c = client!;
    const priv = await c.open('/private', O.RDWR | O.CREAT, 0o600, user);
    const ro = await c.open('/created-read-only', O.WRONLY | O.CREAT, 0o444, user); // a creating open ignores the mode
    await c.write(priv, 0, Buffer.from('before '));
    await c.write(ro, 0, Buffer.from('created 0444, '));
    await c.fsync(priv);
    await c.fsync(ro);

    await manager.stop('SIGKILL');
    manager = mempool(['manager', '--listen', `127.0.0.1:${new URL(cluster.url).port}`, '--data-dir', dataDir, '--squash-root'], ENV);
    await manager.waitFor(/listening on/);
    // at once: the write-back may race the client's Reopen and lease reclaim, and lands under the epoch it had (ESTALE before)
    await c.write(priv, 7, Buffer.from('and after the restart'));
    await c.fsync(priv); // stalls until the link is back, then writes under the reopened handle
    await c.write(ro, 14, Buffer.from('written by its creator'));
    await c.fsync(ro);
    await c.release(priv);
    await c.release(ro);
    const read = async (p: string): Promise<string> => {
      const fh = await c.open(p, O.RDONLY, 0, user);
      try {
        return (await c.read(fh, 0, 100)).toString();
      } finally {
        await c.release(fh);
      }
    };
    expect(await read('/private')).toBe('before and after the restart');
    expect(await read('/created-read-only')).toBe('created 0444, written by its creator');
  }, 120_000);
});

maybe('mempool up restarts a manager that died, from its journal', () => {
  let root: string;
  afterAll(async () => {
    await killAll();
    const left = mountsUnder(root).size;
    if (left > 0) sh(`umount -l ${join(root, 'mnt')}`);
    rmSync(root, { recursive: true, force: true });
    if (left > 0) throw new Error(`${left} mounts left under ${root}`);
  });

  test('kill -9 of the manager under up: the mount keeps its files and goes on working', async () => {
    root = tempDir('mempool-up-restart-');
    const mnt = join(root, 'mnt');
    const dataDir = join(root, 'meta');
    const up = mempool(['up', mnt, '--listen', '127.0.0.1:0', '--memory', '64MiB', '--secret-file', join(root, 'secret-for-tests-0123456789'), '--data-dir', dataDir]);
    await up.waitFor(/mempool is up/, 30_000);
    sh(`mkdir ${mnt}/d && head -c 300000 /dev/urandom > ${mnt}/d/f && sha256sum ${mnt}/d/f > ${root}/sum`);
    const pid = Number(sh(`cat ${dataDir}/lock`).trim());
    process.kill(pid, 'SIGKILL');
    await up.waitFor(/restarting it from its journal/, 10_000);
    sh(`sha256sum -c ${root}/sum`, undefined, 60_000); // stalls until the manager is back, then reads the same bytes
    sh(`echo more > ${mnt}/d/g && test "$(cat ${mnt}/d/g)" = more`);
    await up.stop('SIGTERM');
    expect(mountsUnder(mnt).size).toBe(0);
    expect(sh(`ls ${dataDir}`).trim()).toBe(''); // the pool's memory is gone, and so is its journal
  }, 120_000);
});
