/** One mounted pool per test file (manager + memory nodes + `mempool mount`, all real CLI processes), an optional local tmpfs to compare with, and the end-of-file check that nothing is left behind. */
import { spawnSync } from 'child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { Cluster, ClusterOptions, killAll, Proc, startCluster, tempDir } from './procs';
import { mountAt, mountsUnder, unmount } from './mounts';

/** A pool mounted in a fresh temp dir. */
export interface MountedPool {
  /** The test file's temp dir (mount points and local files live under it). */
  root: string;
  /** The mount point of the pool. */
  mnt: string;
  cluster: Cluster;
  mount: Proc;
  env: Record<string, string>;
  /** A local tmpfs at root/tmpfs, when asked for (the yardstick). */
  tmpfs: string | null;
  /** Pids of every process this fixture started. */
  pids(): number[];
}

/** Options of startMountedPool. */
export interface PoolFixtureOptions extends ClusterOptions {
  /** Also mount a tmpfs of this size (e.g. '64m') at root/tmpfs. */
  tmpfsSize?: string;
  /** Extra `mempool mount` arguments (e.g. --cache). */
  mountArgs?: string[];
}

/** Starts a pool of real processes and mounts it (and a tmpfs to compare with) under a new temp dir. */
export async function startMountedPool(prefix: string, opts: PoolFixtureOptions = {}): Promise<MountedPool> {
  const root = tempDir(prefix);
  spawnSync('chmod', ['755', root]); // a test user must be able to reach the mount points
  const mnt = join(root, 'mnt');
  mkdirSync(mnt);
  const secret = opts.secret ?? `${prefix}secret-for-tests-0123456789`;
  const env = { MEMPOOL_SECRET: secret };
  let tmpfs: string | null = null;
  if (opts.tmpfsSize) {
    tmpfs = join(root, 'tmpfs');
    mkdirSync(tmpfs);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${opts.tmpfsSize},mode=1777`, 'mempool-test-tmpfs', tmpfs], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot mount a tmpfs: ${r.stderr}`);
  }
  const cluster = await startCluster({ ...opts, secret });
  const mount = await mountAt(cluster.url, mnt, env, opts.mountArgs ?? []);
  const pids = () => [cluster.manager, ...cluster.nodes, mount].map((p) => p.child.pid ?? -1);
  return { root, mnt, cluster, mount, env, tmpfs, pids };
}

/** True while a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Unmounts the pool and the tmpfs, stops every process, and returns what is still left: mounts under root and live pids (both should be empty). */
export async function stopMountedPool(p: MountedPool | null): Promise<{ mounts: string[]; pids: number[] }> {
  if (!p) {
    await killAll();
    return { mounts: [], pids: [] };
  }
  const pids = p.pids();
  await unmount(p.mount, p.mnt);
  if (p.tmpfs) spawnSync('umount', [p.tmpfs]);
  await p.cluster.stop();
  await killAll();
  const left = { mounts: [...mountsUnder(p.root).keys()], pids: pids.filter(alive) };
  for (const m of left.mounts) spawnSync('umount', ['-l', m]); // reported to the caller, then cleared so later runs are not harmed
  return left;
}

/** Removes the fixture's temp dir once nothing is mounted under it. */
/** Stops a pool and removes its folder; returns what was left behind (a clean stop leaves no mounts and no pids). */
export async function finishMountedPool(p: MountedPool | null): Promise<{ mounts: string[]; pids: number[] }> {
  const left = await stopMountedPool(p);
  removeRoot(p);
  return left;
}

export function removeRoot(p: MountedPool | null): void {
  if (p && mountsUnder(p.root).size === 0) rmSync(p.root, { recursive: true, force: true });
}

/** Pids whose parent is pid (to check that a process tree is gone). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
