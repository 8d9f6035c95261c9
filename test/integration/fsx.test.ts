/**
 * fsx (test/tools/fsx.c, our own file-operation exerciser) on real mounts: a seeded random run of reads, writes,
 * truncates, mapped reads and writes (MAP_SHARED + msync), reopens and fsyncs, checked against a model of the file,
 * with the kernel caching pages under leases and without (direct I/O opens that may still be mapped shared); two
 * mounts mapping one file see each other's msync'ed writes; fsx without mmap keeps passing while a memory node is
 * killed and a new one joins (R=2).
 */
import { spawn, spawnSync } from 'child_process';
import { join, resolve } from 'path';
import { canMount, mountAt, sh, TwoMounts, unmount } from '../helpers/mounts';
import { Cluster, killAll, Proc, startCluster, tempDir } from '../helpers/procs';
import { statusWhen } from '../helpers/status';
import { defined } from '../helpers/defined';
import { rmSync } from 'fs';

const SECRET = 'fsx-secret-0123456789abcdef';
const FSX_SRC = resolve(__dirname, '../tools/fsx.c');
const ROUNDS_PY = resolve(__dirname, '../tools/mmap-rounds.py');
const describeMount = canMount() ? describe : describe.skip;

/** The two kernel-cache modes of a mount, chosen by environment (valid whichever is the default). */
const MODES: Array<[string, Record<string, string>]> = [
  ['kernel cache', { MEMPOOL_SECRET: SECRET, MEMPOOL_KERNEL_CACHE: '1' }],
  ['direct I/O', { MEMPOOL_SECRET: SECRET, MEMPOOL_KERNEL_CACHE: '0' }],
];

let fsxBin = '';
let binDir = '';

beforeAll(() => {
  binDir = tempDir('mempool-fsx-bin-');
  fsxBin = join(binDir, 'fsx');
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', fsxBin, FSX_SRC], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot build fsx: ${r.stderr}`);
});

afterAll(async () => {
  await killAll();
  rmSync(binDir, { recursive: true, force: true });
});

interface FsxResult {
  code: number | string;
  out: string;
  err: string;
}

/** Runs fsx to its end; onProgress sees each "progress N" line (fsx -P). */
function runFsx(args: string[], onProgress?: (ops: number) => void): { done: Promise<FsxResult>; pid: number } {
  const child = spawn(fsxBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const m = /^progress (\d+)$/.exec(l);
      if (m && onProgress) onProgress(Number(m[1]));
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<FsxResult>((res) => child.on('exit', (code, sig) => res({ code: code ?? sig ?? -1, out, err })));
  return { done, pid: child.pid ?? -1 };
}

/** fsx's verdict as one string: 'ok' or its failure report. */
function verdict(r: FsxResult): string {
  return r.code === 0 && /^fsx: ok/m.test(r.out) ? 'ok' : `fsx exited ${r.code}:\n${r.out}\n${r.err}`;
}

describeMount.each(MODES)('fsx and shared mappings (%s)', (_mode, env) => {
  const two = new TwoMounts('mempool-fsx-', { cluster: { nodes: 1, memory: '256MiB', secret: SECRET, extraManagerArgs: ['--lease-term', '3'] }, env });

  it('fsx with mapped reads and writes, all operations, 20,000 ops: no mismatch', async () => {
    const started = Date.now();
    const r = await runFsx(['-N', '20000', '-S', '20261202', '-P', '5000', join(two.dirA, 'fsx.file')]).done;
    console.log(`fsx (${_mode}): ${r.out.trim().split('\n').pop()} [${Date.now() - started} ms]`);
    expect(verdict(r)).toBe('ok');
  }, 600_000);

  it('two mounts map one file: each sees the other’s msync’ed writes through its own mapping', () => {
    const res = JSON.parse(sh(`python3 ${ROUNDS_PY} ${join(two.dirA, 'both')} ${join(two.dirB, 'both')} 200 both`, undefined, 300_000)) as RoundsResult;
    console.log(`mmap both ways (${_mode}): ${JSON.stringify(res)}`);
    expect({ lost: res.lost, clobbered: res.clobberedPages }).toEqual({ lost: 0, clobbered: { a: 0, b: 0 } });
  }, 300_000);

  it('1,000 rounds: write through A’s mapping + msync, read through B’s mapping', () => {
    const res = JSON.parse(sh(`python3 ${ROUNDS_PY} ${join(two.dirA, 'ab')} ${join(two.dirB, 'ab')} 1000 ab`, undefined, 300_000)) as RoundsResult;
    console.log(`mmap A->B (${_mode}): ${JSON.stringify(res)}`);
    expect({ lost: res.lost, clobbered: res.clobberedPages }).toEqual({ lost: 0, clobbered: { a: 0, b: 0 } });
  }, 300_000);
});

interface RoundsResult {
  rounds: number;
  stale: number;
  lost: number;
  maxLateMs: number;
  clobberedPages: { a: number; b: number };
}

describeMount('fsx while a memory node dies and another joins (R=2)', () => {
  let root = '';
  let cluster: Cluster | null = null;
  let mount: Proc | null = null;
  let mnt = '';

  afterAll(async () => {
    await unmount(mount, mnt).catch(() => undefined);
    await cluster?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('fsx without mmap, 8,000 ops: a node killed (-9) after 1,500 ops, a new one added, no failure', async () => {
    const N = 8000;
    root = tempDir('mempool-fsx-heal-');
    mnt = join(root, 'mnt');
    sh(`mkdir -p ${mnt}`);
    cluster = await startCluster({ nodes: 3, memory: '128MiB', replicas: 2, secret: SECRET, env: { MEMPOOL_PING_MS: '500' }, extraManagerArgs: ['--repair-after', '1'] });
    mount = await mountAt(cluster.url, mnt, { MEMPOOL_SECRET: SECRET });
    let progress = 0;
    let wake: () => void = () => {};
    const fsx = runFsx(['-R', '-W', '-N', String(N), '-S', '7', '-P', '100', join(mnt, 'fsx.file')], (ops) => {
      progress = ops;
      wake();
    });
    let finished = false;
    void fsx.done.then(() => {
      finished = true;
      wake();
    });
    /** Waits until fsx reached ops operations (or ended). */
    const reached = (ops: number) =>
      new Promise<void>((res) => {
        const check = () => (progress >= ops || finished ? res() : undefined);
        wake = check;
        check();
      });
    await reached(1500);
    const victim = defined(cluster.nodes[1], 'node 1');
    const killedAt = progress;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await statusWhen(cluster.url, (s) => s.nodes.filter((n) => n.alive).length === 2, 30_000, { MEMPOOL_SECRET: SECRET });
    await cluster.addNode('128MiB');
    const joinedAt = progress;
    const r = await fsx.done;
    console.log(`fsx with a node killed at op ${killedAt} and one joined at op ${joinedAt}: ${r.out.trim().split('\n').pop()}`);
    expect(verdict(r)).toBe('ok');
    // the events happened while fsx ran, not after it
    expect(killedAt).toBeLessThan(N);
    expect(joinedAt).toBeLessThan(N);
    const st = await statusWhen(cluster.url, (s) => s.underReplicatedChunks === 0, 60_000, { MEMPOOL_SECRET: SECRET });
    expect(st.underReplicatedChunks).toBe(0);
  }, 600_000);
});
