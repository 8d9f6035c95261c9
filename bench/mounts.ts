/**
 * The file systems a benchmark compares: a mempool mount (the real CLI's
 * `mempool mount`, a child process) and a fresh tmpfs. Each is mounted on a fresh temporary directory and
 * registered for cleanup, so a failure or SIGINT leaves no mount behind.
 * BENCH_MOUNT_NODE_ARGS adds node flags to the FUSE processes only (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { onCleanup } from './cleanup';
import { CLI, spawnReady, stopChild } from './cluster';
import { exec } from './exec';

/** A mounted file system under test. */
export interface BenchMount {
  /** Short name for tables: "mempool", "tmpfs". */
  name: string;
  dir: string;
  /** The FUSE process, when there is one (for profiling or RSS). */
  child?: ChildProcess;
  unmount(): Promise<void>;
}

/** A new empty directory under the system temp folder. */
export function benchDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `mempool-bench-${tag}-`));
}

/** True if dir is a mount point right now (per /proc/self/mounts). */
export function isMounted(dir: string): boolean {
  const abs = resolve(dir);
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === abs);
}

/** Unmounts dir if still mounted (lazily for FUSE: the process may be gone), then removes it. */
async function forceUnmount(dir: string, fuse: boolean): Promise<void> {
  for (let i = 0; i < 3 && isMounted(dir); i++) {
    await exec(fuse ? 'fusermount' : 'umount', fuse ? ['-uz', dir] : ['-l', dir]).catch(() => undefined);
  }
  if (!isMounted(dir)) rmSync(dir, { recursive: true, force: true });
}

/** Node flags for the FUSE processes: BENCH_MOUNT_NODE_ARGS. */
function mountNodeArgs(): string[] {
  return (process.env.BENCH_MOUNT_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** Starts a node script with the FUSE-process flags and waits for its ready line (spawnReady puts BENCH_NODE_ARGS first). */
function spawnFuse(script: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess }> {
  const [flag, ...flags] = mountNodeArgs();
  // spawnReady runs `node [BENCH_NODE_ARGS] SCRIPT ARGS`: extra node flags go in the script's place.
  if (flag === undefined) return spawnReady(script, args, ready, 30_000);
  return spawnReady(flag, [...flags, script, ...args], ready, 30_000);
}

/** Registers a FUSE child mount for cleanup and wraps it as a BenchMount. */
function fuseMount(name: string, dir: string, child: ChildProcess): BenchMount {
  let tail = '';
  let stopping = false;
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, sig) => {
    if (!stopping) console.error(`bench: the ${name} FUSE process (pid ${child.pid}) exited unexpectedly (${code ?? sig}); its last output:\n${tail}`);
  });
  const unmount = async () => {
    stopping = true;
    unregister();
    // SIGTERM: mempool flushes and unmounts. Long grace so --cpu-prof can write its profile.
    await stopChild(child, 15_000);
    await forceUnmount(dir, true);
  };
  const unregister = onCleanup(unmount);
  return { name, dir, child, unmount };
}

/** Mounts the pool at url on a fresh directory with `mempool mount` (foreground child). */
export async function mountMempool(url: string, opts: { name?: string; cache?: string } = {}): Promise<BenchMount> {
  const dir = benchDir('mempool');
  const args = ['mount', url, dir];
  if (opts.cache) args.push('--cache', opts.cache);
  try {
    const { child } = await spawnFuse(CLI, args, /mounted .* on /);
    return fuseMount(opts.name ?? 'mempool', dir, child);
  } catch (err) {
    await forceUnmount(dir, true);
    throw err;
  }
}

/** Mounts a fresh tmpfs of the given size on a fresh directory (needs root). */
export async function mountTmpfs(size = '2G'): Promise<BenchMount> {
  const dir = benchDir('tmpfs');
  await exec('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  const unmount = async () => {
    unregister();
    await exec('umount', [dir]).catch(() => undefined);
    await forceUnmount(dir, false);
  };
  const unregister = onCleanup(unmount);
  return { name: 'tmpfs', dir, unmount };
}
