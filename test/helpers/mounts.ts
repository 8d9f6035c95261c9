/** Real FUSE mounts of a pool for tests: `mempool mount` as a child process, shell commands on it, and checks that nothing stays mounted. */
import { execSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Cluster, ClusterOptions, killAll, mempool, mempoolSync, Proc, startCluster } from './procs';

/** True when this machine can mount FUSE file systems (root and /dev/fuse). */
export function canMount(): boolean {
  try {
    readFileSync('/dev/fuse', { flag: 'r' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  return process.getuid?.() === 0;
}

/** Mounts the pool at url on dir in a child `mempool mount` (optionally inside a test host via prefix) and waits until it is ready. */
export async function mountAt(url: string, dir: string, env: Record<string, string> = {}, extraArgs: string[] = [], prefix: string[] = []): Promise<Proc> {
  const p = mempool(['mount', url, dir, ...extraArgs], env, prefix);
  await p.waitFor(/^mounted \S+ on /m, 20000);
  return p;
}

/** Unmounts cleanly (SIGTERM to the FUSE process: flush, unmount, exit), falling back to `mempool umount`. */
export async function unmount(p: Proc | null, dir: string): Promise<void> {
  if (p) await p.stop('SIGTERM');
  if (mountsUnder(dir).size > 0) mempoolSync(['umount', dir]);
}

/** Runs a shell command (bash) and returns its stdout; throws with stderr on failure. */
export function sh(cmd: string, cwd?: string, timeoutMs = 120000): string {
  try {
    return execSync(cmd, { cwd, encoding: 'utf8', shell: '/bin/bash', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    // execSync's error refers to itself (err.error), which jest's workers cannot report: rethrow a plain one with its fields.
    const e = err as Error & { stdout?: string; stderr?: string; status?: number | null; signal?: string | null };
    const msg = `${cmd.slice(0, 200)}: ${e.message.split('\n')[0]} (status ${e.status ?? '-'}, signal ${e.signal ?? '-'}); stderr: ${String(e.stderr ?? '').slice(0, 2000)}`;
    throw Object.assign(new Error(msg), { status: e.status ?? null, signal: e.signal ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' });
  }
}

/** Mount entries (path -> fstype) at or under dir. */
export function mountsUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const f = line.split(' ');
    const path = f[1]?.replace(/\\040/g, ' ');
    const fstype = f[2];
    if (path && fstype !== undefined && (path === dir || path.startsWith(dir + '/'))) out.set(path, fstype);
  }
  return out;
}

/** A fresh temporary root with two empty mount points, a and b, for tests of two clients. */
export function twoMountPoints(prefix: string): { root: string; dirA: string; dirB: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  mkdirSync(dirA);
  mkdirSync(dirB);
  return { root, dirA, dirB };
}

/** Unmounts both mounts, kills every process the test file started, checks nothing stays mounted, removes root. */
export async function tearDownTwoMounts(root: string, mounts: Array<[Proc | null, string]>, killAll: () => Promise<void>): Promise<void> {
  await Promise.all(mounts.map(([p, dir]) => unmount(p, dir))).catch(() => undefined);
  await killAll();
  const left = mountsUnder(root).size;
  rmSync(root, { recursive: true, force: true });
  if (left > 0) throw new Error(`${left} mounts left under ${root}`);
}

/** What twoMounts sets up: a fresh cluster and two mounts of it, a and b, under a temporary root. */
export interface TwoMountsOptions {
  /** The cluster (its secret is also the mounts'). */
  cluster: ClusterOptions;
  /** Extra `mempool mount` arguments of mount A and of mount B. */
  argsA?: string[];
  argsB?: string[];
  /** Extra environment of both mounts. */
  env?: Record<string, string>;
  /** Runs once the mount points exist, before the cluster starts (e.g. files under root the tests need). */
  prepare?: (root: string) => void;
  /** Runs first in teardown (e.g. stopping helper processes that hold files open on the mounts). */
  beforeTeardown?: () => void;
}

/** A cluster and its two mounts, once set up. */
interface MountedPair {
  root: string;
  dirA: string;
  dirB: string;
  cluster: Cluster;
  mountA: Proc;
  mountB: Proc;
}

/** Two mounts of one cluster, set up before the enclosing describe block's tests and torn down after them. */
export class TwoMounts {
  private state: MountedPair | null = null;

  constructor(prefix: string, opts: TwoMountsOptions) {
    let points: { root: string; dirA: string; dirB: string } | null = null;
    let mounts: Array<Proc | null> = [null, null];
    beforeAll(async () => {
      if (!canMount()) return; // the tests are skipped too
      points = twoMountPoints(prefix);
      opts.prepare?.(points.root);
      const cluster = await startCluster(opts.cluster);
      const env: Record<string, string> = { ...(opts.cluster.secret ? { MEMPOOL_SECRET: opts.cluster.secret } : {}), ...opts.env };
      const settled = await Promise.allSettled([mountAt(cluster.url, points.dirA, env, opts.argsA), mountAt(cluster.url, points.dirB, env, opts.argsB)]);
      mounts = settled.map((r) => (r.status === 'fulfilled' ? r.value : null));
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const [mountA, mountB] = mounts;
      if (mountA && mountB) this.state = { ...points, cluster, mountA, mountB };
    });
    afterAll(async () => {
      opts.beforeTeardown?.();
      if (!points) return;
      await tearDownTwoMounts(
        points.root,
        [
          [mounts[0] ?? null, points.dirA],
          [mounts[1] ?? null, points.dirB],
        ],
        killAll,
      );
    });
  }

  private get s(): MountedPair {
    if (!this.state) throw new Error('the two mounts are not set up (their beforeAll failed)');
    return this.state;
  }

  /** The temporary directory holding both mount points. */
  get root(): string {
    return this.s.root;
  }
  get dirA(): string {
    return this.s.dirA;
  }
  get dirB(): string {
    return this.s.dirB;
  }
  get cluster(): Cluster {
    return this.s.cluster;
  }
  get mountA(): Proc {
    return this.s.mountA;
  }
  get mountB(): Proc {
    return this.s.mountB;
  }
}
