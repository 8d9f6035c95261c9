/**
 * The FUSE request loop alone (no pool): a tiny in-memory file system on
 * mount/fuse/session.ts, served with each reader (worker threads with blocking
 * reads, or libuv threadpool reads), measured with a python stat loop and 4 KiB
 * pread loops. Run: node dist/bench/fuse-loop.js [worker|threadpool ...].
 * Each reader runs in its own child process, so UV_THREADPOOL_SIZE is set
 * before that process's threadpool starts.
 */
import { execFile, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as abi from '../mount/fuse/abi';
import { FuseFileSystem } from '../mount/fuse/ops';
import { FuseSession } from '../mount/fuse/session';
import { ReaderKind } from '../mount/fuse/reader';

const FILE_INO = 2;
const SIZE = 16 * 1024 * 1024;

function attrOf(ino: number): abi.FuseAttr {
  const now = Date.now();
  const dir = ino === abi.ROOT_ID;
  return { ino, size: dir ? 0 : SIZE, blocks: 0, atimeMs: now, mtimeMs: now, ctimeMs: now, mode: dir ? 0o40755 : 0o100644, nlink: 1, uid: 0, gid: 0, rdev: 0, blksize: 4096 };
}

/** Root with one 16 MiB file "f" of zeros; nothing cached by the kernel (timeouts 0, direct I/O), like the pool's mount. */
function nullFs(): FuseFileSystem {
  const data = Buffer.alloc(1 << 20);
  return {
    lookup: async (_c, parent, name) => {
      if (parent !== abi.ROOT_ID || name.toString() !== 'f') throw Object.assign(new Error('ENOENT'), { errno: 2 });
      return { nodeid: FILE_INO, generation: 0, entryTtlMs: 0, attrTtlMs: 0, attr: attrOf(FILE_INO) };
    },
    getattr: async (_c, ino) => ({ attrTtlMs: 0, attr: attrOf(ino) }),
    open: async () => ({ fh: 1, flags: abi.FOPEN_DIRECT_IO }),
    read: async (_c, _i, _fh, off, size) => data.subarray(0, Math.max(0, Math.min(size, SIZE - off))),
    release: async () => {},
    flush: async () => {},
    opendir: async () => ({ fh: 1, flags: 0 }),
    readdir: async () => {},
  };
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((res, rej) => execFile(cmd, args, { maxBuffer: 1 << 20 }, (err, out) => (err ? rej(err) : res(out))));
}

/** Child: mount, measure, print one JSON line, unmount. */
async function child(kind: ReaderKind): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mempool-fuse-loop-'));
  const s = await FuseSession.mount(dir, nullFs(), { fsname: 'fuseloop', subtype: 'fuseloop', reader: kind, readers: 2 });
  try {
    const prog = `
import os, sys, time, threading
p = sys.argv[1]
def stats(n):
    t = time.time()
    for i in range(n): os.stat(p)
    return n / (time.time() - t)
def preads(n, jobs):
    def one():
        fd = os.open(p, os.O_RDONLY)
        for i in range(n): os.pread(fd, 4096, (i * 7919 % 4000) * 4096)
        os.close(fd)
    ts = [threading.Thread(target=one) for _ in range(jobs)]
    t = time.time()
    for x in ts: x.start()
    for x in ts: x.join()
    return n * jobs / (time.time() - t)
stats(500)
print('{"stat": %d, "pread1": %d, "pread4": %d}' % (stats(20000), preads(20000, 1), preads(5000, 4)))
`;
    const out = await run('python3', ['-c', prog, join(dir, 'f')]);
    console.log(JSON.stringify({ reader: kind, ...JSON.parse(out) }));
  } finally {
    await s.unmount();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [, , mode, kind] = process.argv;
  if (mode === '--child') return child(kind as ReaderKind);
  const kinds = (process.argv.slice(2).length ? process.argv.slice(2) : ['worker', 'threadpool', 'worker', 'threadpool']) as ReaderKind[];
  for (const k of kinds) {
    await new Promise<void>((res, rej) => {
      const c = spawn(process.execPath, [__filename, '--child', k], { stdio: 'inherit', env: { ...process.env, UV_THREADPOOL_SIZE: '16' } });
      c.on('exit', (code) => (code === 0 ? res() : rej(new Error(`${k}: exit ${code}`))));
    });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
