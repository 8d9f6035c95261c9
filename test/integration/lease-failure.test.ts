/**
 * A lease holder that stops answering (issue 4): mount A holds a WRITE lease
 * with dirty pages, then is frozen (SIGSTOP) or cut off from the manager
 * (network namespaces, blackhole routes). B's write to the file must wait
 * for A's lease term plus the manager's margin, then complete; once A is
 * back it must not serve its stale cache, its stale dirty pages must never
 * reach the memory nodes (fenced by epoch), and the writes it lost are
 * reported as EIO by the next fsync/close, as the README says.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FdProcess, killFdProcesses } from '../helpers/fd-process';
import { canMount, mountAt, tearDownTwoMounts, twoMountPoints } from '../helpers/mounts';
import { createNet, netnsAvailable, TestNet } from '../helpers/netns';
import { spawnSync } from 'child_process';
import { PoolStatus } from '../../src/types';
import { CLI, Cluster, killAll, mempool, Proc, startCluster, TEST_MARK } from '../helpers/procs';
import { cliStatus } from '../helpers/status';
import { defined } from '../helpers/defined';

const SECRET = 'lease-failure-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };
const TERM_MS = 2000;
const MARGIN_MS = 1000;
const describeMount = canMount() ? describe : describe.skip;

const ORIGINAL = 'original: flushed and closed before the test\n';
const A_TEXT = 'A: cached, never flushed';
const B_TEXT = 'B: written once the lease ran out';
/** What the file must hold in the end: B's bytes over the original, nothing of A's. */
const FINAL = B_TEXT + ORIGINAL.slice(B_TEXT.length);

interface Pool {
  dirA: string;
  dirB: string;
  /** `mempool status --json`, run where the manager can be reached. */
  status: () => PoolStatus;
}

/** `mempool status URL --json` run inside a test host (the manager listens on the test network only). */
function statusFrom(prefix: string[], url: string): PoolStatus {
  const argv = [...prefix, process.execPath, CLI, 'status', url, '--json'];
  const r = spawnSync(argv[0]!, argv.slice(1), { env: { ...process.env, ...ENV, [TEST_MARK]: '1' }, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`mempool status exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as PoolStatus;
}

interface Outcome {
  /** How long B's write waited (ms). */
  waitMs: number;
  /** How long after A stopped answering B's write completed (ms). */
  sinceFreezeMs: number;
}

/** Waits until the client serving dir has reported dirty pages with its lease heartbeat. */
async function waitDirty(pool: Pool): Promise<void> {
  const dir = pool.dirA;
  const end = Date.now() + 10_000;
  for (;;) {
    const c = pool.status().clientDetails.find((x) => x.name.endsWith(`:${dir}`));
    if (c && (c.dirtyBytes ?? 0) > 0) return;
    if (Date.now() > end) throw new Error(`mount ${dir} never reported dirty pages: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The scenario both tests share: A writes without flushing and keeps the file open, `freeze` makes A unreachable,
 * B writes (timed), `whileFrozen` may probe A, `thaw` brings A back; then A's view, A's close and B's view are checked.
 */
async function scenario(
  pool: Pool,
  name: string,
  freeze: () => void,
  thaw: () => void,
  whileFrozen: (a: FdProcess) => Promise<void> = async () => undefined,
): Promise<{ outcome: Outcome; aClose: { ok: boolean; value: string } }> {
  fs.writeFileSync(path.join(pool.dirA, name), ORIGINAL);
  const b = new FdProcess(path.join(pool.dirB, name));
  expect((await b.opened).ok).toBe(true);
  const a = new FdProcess(path.join(pool.dirA, name));
  expect((await a.opened).ok).toBe(true);
  // A reads first (its page and the chunk's location are cached), then writes without fsync or close
  expect(await a.read(0, 100)).toEqual({ ok: true, value: ORIGINAL });
  expect(await a.write(0, A_TEXT)).toEqual({ ok: true, value: String(A_TEXT.length) });
  await waitDirty(pool);
  // (through A's own descriptor: a close of another one on A would flush the file)
  expect(await a.read(0, 100)).toEqual({ ok: true, value: A_TEXT + ORIGINAL.slice(A_TEXT.length) });

  const expiredBefore = pool.status().leases.expired;
  freeze();
  const frozenAt = Date.now();
  const t0 = Date.now();
  expect(await b.write(0, B_TEXT)).toEqual({ ok: true, value: String(B_TEXT.length) });
  const done = Date.now();
  const outcome = { waitMs: done - t0, sinceFreezeMs: done - frozenAt };
  expect(await b.read(0, 100)).toEqual({ ok: true, value: FINAL });
  expect(pool.status().leases.expired).toBeGreaterThan(expiredBefore);
  await whileFrozen(a);
  thaw();

  // A is back: its reads see B's data, never its own cached pages
  expect(await a.read(0, 100)).toEqual({ ok: true, value: FINAL });
  const aClose = await a.close();
  a.kill();
  // A's stale pages did not land after it resumed and closed: B and a fresh read on A both see B's data
  expect(await b.read(0, 100)).toEqual({ ok: true, value: FINAL });
  expect(fs.readFileSync(path.join(pool.dirB, name), 'utf8')).toBe(FINAL);
  expect(fs.readFileSync(path.join(pool.dirA, name), 'utf8')).toBe(FINAL);
  expect((await b.close()).ok).toBe(true);
  b.kill();
  return { outcome, aClose };
}

/** Checks B's wait against A's lease: not before A's term could have run out, and not never. */
function checkWait(o: Outcome, what: string): void {
  console.log(`${what}: B's write waited ${o.waitMs} ms (${o.sinceFreezeMs} ms after A stopped answering); term ${TERM_MS} ms + margin ${MARGIN_MS} ms`);
  // A renewed at most a heartbeat (term/3) before it stopped, so the manager may not give the file away before
  // term + margin - term/3 after that (less some slack for a late heartbeat); and never before ~1 s
  expect(o.sinceFreezeMs).toBeGreaterThanOrEqual(Math.max(1000, TERM_MS + MARGIN_MS - TERM_MS / 3 - 500));
  expect(o.waitMs).toBeLessThan(TERM_MS + MARGIN_MS + 2000);
}

describeMount('a lease holder frozen with SIGSTOP', () => {
  let root = '';
  let cluster: Cluster | null = null;
  let mountA: Proc | null = null;
  let mountB: Proc | null = null;
  let dirA = '';
  let dirB = '';

  beforeAll(async () => {
    ({ root, dirA, dirB } = twoMountPoints('mempool-lease-stop-'));
    cluster = await startCluster({ nodes: 2, memory: '64MiB', secret: SECRET, extraManagerArgs: ['--lease-term', String(TERM_MS / 1000)] });
    [mountA, mountB] = await Promise.all([mountAt(cluster.url, dirA, ENV), mountAt(cluster.url, dirB, ENV)]);
  });

  afterAll(async () => {
    if (mountA?.child.pid) process.kill(mountA.child.pid, 'SIGCONT');
    killFdProcesses();
    await tearDownTwoMounts(
      root,
      [
        [mountA, dirA],
        [mountB, dirB],
      ],
      killAll,
    );
  });

  test("B's write waits out A's lease, then A neither serves stale data nor overwrites B; A's lost writes are EIO at close", async () => {
    const pid = mountA!.child.pid!;
    const { outcome, aClose } = await scenario(
      { dirA, dirB, status: () => cliStatus(cluster!.url, ENV) },
      'frozen',
      () => process.kill(pid, 'SIGSTOP'),
      () => process.kill(pid, 'SIGCONT'),
    );
    checkWait(outcome, 'SIGSTOP');
    // the writes A had cached are lost; the close of the descriptor that made them says so
    expect(aClose).toEqual({ ok: false, value: 'EIO' });
    expect(mountA!.output()).toMatch(/lease on inode \d+ lost .*unflushed writes discarded|writes to inode \d+ were lost/);
  });
});

const describeNet = canMount() && netnsAvailable() ? describe : describe.skip;

describeNet('a lease holder cut off from the manager (network namespaces)', () => {
  let root = '';
  let net: TestNet | null = null;
  let mountA: Proc | null = null;
  let mountB: Proc | null = null;
  let dirA = '';
  let dirB = '';
  let url = '';

  beforeAll(async () => {
    ({ root, dirA, dirB } = twoMountPoints('mempool-lease-cut-'));
    net = createNet('lf', ['mgr', 'n1', 'n2', 'a', 'b'], 47);
    const host = (n: string) => net!.hosts.get(n)!;
    const manager = mempool(['manager', '--listen', `${host('mgr').ip}:0`, '--lease-term', String(TERM_MS / 1000)], ENV, host('mgr').prefix);
    url = defined((await manager.waitFor(/listening on (wss?:\/\/\S+)/))[1], 'the manager URL');
    await Promise.all(['n1', 'n2'].map((n) => mempool(['node', '--manager', url, '--memory', '64MiB', '--listen', `${host(n).ip}:0`], ENV, host(n).prefix).waitFor(/serving .* on ws/)));
    [mountA, mountB] = await Promise.all([mountAt(url, dirA, ENV, [], host('a').prefix), mountAt(url, dirB, ENV, [], host('b').prefix)]);
  });

  afterAll(async () => {
    try {
      net?.heal('a', 'mgr');
    } catch {
      // not cut
    }
    killFdProcesses();
    await tearDownTwoMounts(
      root,
      [
        [mountA, dirA],
        [mountB, dirB],
      ],
      async () => {
        await killAll();
        net?.destroy();
      },
    );
  });

  test("B's write waits out A's lease; A, still reaching the memory nodes, is fenced: its fsync is EIO and B's data stays", async () => {
    let fsyncWhileCut: { ok: boolean; value: string } | null = null;
    const { outcome, aClose } = await scenario(
      { dirA, dirB, status: () => statusFrom(net!.hosts.get('b')!.prefix, url) },
      'cut',
      () => net!.cut('a', 'mgr'),
      () => net!.heal('a', 'mgr'),
      async (a) => {
        // A still reaches the memory nodes: its stale dirty pages are refused there (epoch fenced), never written over B's
        fsyncWhileCut = await a.fsync();
      },
    );
    checkWait(outcome, 'cut from the manager');
    expect(fsyncWhileCut).toEqual({ ok: false, value: 'EIO' });
    // the loss was reported once, by that fsync
    expect(aClose).toEqual({ ok: true, value: '' });
    expect(mountA!.output()).toMatch(/writes to inode \d+ were lost|lease on inode \d+ lost/);
  });
});
