/** Real FUSE mounts of a pool for tests: `mempool mount` as a child process, shell commands on it, and checks that nothing stays mounted. */
import { execSync } from 'child_process';
import { readFileSync } from 'fs';
import { mempool, mempoolSync, Proc } from './procs';

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
  return execSync(cmd, { cwd, encoding: 'utf8', shell: '/bin/bash', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

/** Mount entries (path -> fstype) at or under dir. */
export function mountsUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const f = line.split(' ');
    const path = f[1]?.replace(/\\040/g, ' ');
    if (path && (path === dir || path.startsWith(dir + '/'))) out.set(path, f[2]);
  }
  return out;
}
