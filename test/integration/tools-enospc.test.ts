/**
 * A full pool (3 memory nodes of 24 MiB, one replica) against a 72 MiB
 * tmpfs: dd gets ENOSPC, every other file is intact, and the space comes
 * back after rm; near a full pool the client writes through, so every byte
 * write() acknowledged is kept, as on tmpfs.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { defined } from '../helpers/defined';
import { canMount, sh } from '../helpers/mounts';
import { MountedPool, removeRoot, startMountedPool, stopMountedPool, finishMountedPool } from '../helpers/pool-fixture';

const describeMount = canMount() ? describe : describe.skip;
const MiB = 1024 * 1024;
const SCRIPTS = path.join(__dirname, 'tools-scripts');

let pool: MountedPool | null = null;
const keep = new Map<string, string>(); // name -> sha256

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const targets = (): Array<[string, string]> => [
  ['tmpfs', pool!.tmpfs!],
  ['mempool', pool!.mnt],
];
/** Runs a shell command that may fail; returns its combined output and exit code. */
const tryRun = (cmd: string, cwd: string) => sh(`{ ${cmd} ; } 2>&1; echo "rc=$?"`, cwd);
/** Bytes used on a file system, as df reports them. */
const used = (dir: string) => Number(sh('df -B1 --output=used . | tail -1', dir).trim());

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

/** Every kept file still has its original contents, on both file systems. */
function expectKeptIntact(): void {
  for (const [, dir] of targets()) for (const [name, hash] of keep) expect(sha256(path.join(dir, name))).toBe(hash);
}

describeMount('a full pool gives ENOSPC and harms nothing else', () => {
  beforeAll(async () => {
    pool = await startMountedPool('mempool-enospc-', { nodes: 3, memory: '24MiB', replicas: 1, tmpfsSize: '72m' });
    for (let i = 0; i < 3; i++) {
      const local = path.join(pool.root, `keep${i}.bin`);
      sh(`head -c ${4 * MiB + i * 12345} /dev/urandom > ${local}`);
      keep.set(`keep${i}.bin`, sha256(local));
      for (const [, dir] of targets()) sh(`cp ${local} ${dir}/keep${i}.bin`);
    }
    sh(`head -c ${100 * MiB} /dev/urandom > ${pool.root}/random.bin`);
  }, 60000);

  afterAll(async () => {
    await stopMountedPool(pool);
    removeRoot(pool);
  });

  it('df shows the 72 MiB pool and the kept files', () => {
    expect(Number(sh('df -B1 --output=size . | tail -1', pool!.mnt).trim())).toBe(72 * MiB);
    expectKeptIntact();
  });

  it('plain dd: write() fails with ENOSPC as on tmpfs; the other files are intact; rm gives the space back', async () => {
    const before = used(pool!.mnt);
    const outs = targets().map(([, dir]) => tryRun('dd if=/dev/zero of=fill bs=1M count=200', dir));
    for (const out of outs) {
      expect(out).toMatch(/dd: error writing 'fill': No space left on device/);
      expect(out).toMatch(/rc=1\n$/);
    }
    expectKeptIntact();
    for (const [, dir] of targets()) sh('rm fill', dir);
    expect(await waitFor(() => used(pool!.mnt) === before, 10000)).toBe(true);
    expectKeptIntact();
  });

  it('dd conv=fsync: ENOSPC as well; afterwards new files write and read back', async () => {
    const before = used(pool!.mnt);
    for (const [, dir] of targets()) {
      const out = tryRun('dd if=/dev/zero of=fill bs=1M count=200 conv=fsync', dir);
      expect(out).toMatch(/No space left on device/);
      expect(out).toMatch(/rc=1\n$/);
      sh('rm fill', dir);
    }
    expect(await waitFor(() => used(pool!.mnt) === before, 10000)).toBe(true);
    const fresh = path.join(pool!.root, 'fresh.bin');
    sh(`head -c ${8 * MiB} /dev/urandom > ${fresh}`);
    sh(`dd if=${fresh} of=fresh.bin bs=1M status=none conv=fsync`, pool!.mnt);
    expect(sha256(path.join(pool!.mnt, 'fresh.bin'))).toBe(sha256(fresh));
    sh('rm fresh.bin', pool!.mnt);
    expectKeptIntact();
  });

  const fills: Record<string, { acked: number; write_error: string | null; close_error: string | null; size: number; kept_acked: boolean }> = {};

  it('a writer that fills the file system: ENOSPC reaches it on both; the other files are intact', () => {
    for (const [name, dir] of targets()) {
      fills[name] = JSON.parse(sh(`python3 ${SCRIPTS}/fill-writer.py ${pool!.root}/random.bin ${dir}/fill`));
      sh('rm fill', dir);
    }
    // tmpfs: write() fails, close() succeeds, and the file holds every acknowledged byte
    const onTmpfs = defined(fills.tmpfs, 'the tmpfs fill result');
    expect(onTmpfs).toMatchObject({ write_error: 'No space left on device', close_error: null, kept_acked: true });
    expect(onTmpfs.size).toBe(onTmpfs.acked);
    expect(onTmpfs.acked).toBeGreaterThan(50 * MiB);
    expect(defined(fills.mempool, 'the mempool fill result').write_error).toBe('No space left on device');
    expectKeptIntact();
  });

  // Near a full pool the client writes through (no write-back), so write() itself gets ENOSPC and every byte it
  // acknowledged is kept, as on tmpfs.
  it('keeps every byte write() acknowledged and close() succeeds (as on tmpfs)', () => {
    console.log(`fill-writer on mempool: ${JSON.stringify(fills.mempool)}; on tmpfs: ${JSON.stringify(fills.tmpfs)}`);
    const onPool = defined(fills.mempool, 'the mempool fill result');
    expect(onPool).toMatchObject({ close_error: null, kept_acked: true, size: onPool.acked });
  });

  it('leaves no mount and no process behind', async () => {
    const p = pool;
    pool = null;
    expect(await finishMountedPool(p)).toEqual({ mounts: [], pids: [] });
  });
});
