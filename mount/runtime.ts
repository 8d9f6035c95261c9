/**
 * Where a running mount leaves its traces, so that `mempool umount` can find
 * the FUSE process behind a mount point: a small JSON state file per mount
 * (pid, URL, log) in the runtime folder, and the kernel's mount table.
 */
import { createHash } from 'crypto';
import { execFile } from 'child_process';
import { promises as fsp, mkdirSync, readFileSync, writeFileSync, unlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

/** What a mount process records about itself. */
export interface MountState {
  pid: number;
  mountpoint: string;
  url: string;
  /** Log file of a daemonized (-d) mount, if any. */
  log?: string;
}

/** One entry of the kernel's mount table. */
export interface MountEntry {
  source: string;
  mountpoint: string;
  fstype: string;
}

/** The file system type a mempool mount shows in /proc/mounts and `df -T`. */
export const MEMPOOL_FSTYPE = 'fuse.mempool';

/** Runtime folder for state files: /run/mempool when writable (root), else $TMPDIR/mempool-UID. */
export function runDir(): string {
  const candidates = process.getuid?.() === 0 ? ['/run/mempool'] : [];
  candidates.push(join(tmpdir(), `mempool-${process.getuid?.() ?? 'user'}`));
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return dir;
    } catch {
      // try the next one
    }
  }
  throw new Error(`cannot create a runtime folder (tried ${candidates.join(', ')})`);
}

/** State file path for a mount point (one per absolute mount point). */
export function mountStatePath(mountpoint: string): string {
  const abs = resolve(mountpoint);
  const h = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  return join(runDir(), `mount-${h}.json`);
}

/** Records that this process serves mountpoint. */
export function writeMountState(state: MountState): void {
  writeFileSync(mountStatePath(state.mountpoint), JSON.stringify(state) + '\n', { mode: 0o600 });
}

/** The recorded state of a mount point, or null. */
export function readMountState(mountpoint: string): MountState | null {
  try {
    const s = JSON.parse(readFileSync(mountStatePath(mountpoint), 'utf8')) as MountState;
    return typeof s.pid === 'number' && typeof s.mountpoint === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** Removes a mount point's state file if it still names pid (or any, without pid). */
export function removeMountState(mountpoint: string, pid?: number): void {
  const s = readMountState(mountpoint);
  if (pid !== undefined && s && s.pid !== pid) return;
  try {
    unlinkSync(mountStatePath(mountpoint));
  } catch {
    // already gone
  }
}

/** Decodes the octal escapes (\040 etc.) of /proc/mounts fields. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The kernel's mount table (/proc/self/mounts), read asynchronously (never blocks a FUSE process). */
export async function readMounts(): Promise<MountEntry[]> {
  const text = await fsp.readFile('/proc/self/mounts', 'utf8');
  return parseMounts(text);
}

/** The kernel's mount table, read synchronously (for processes that serve no mount). */
export function readMountsSync(): MountEntry[] {
  return parseMounts(readFileSync('/proc/self/mounts', 'utf8'));
}

function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, mountpoint, fstype] = line.split(' ');
    if (source === undefined || mountpoint === undefined || fstype === undefined) continue;
    out.push({ source: unescapeMountField(source), mountpoint: unescapeMountField(mountpoint), fstype });
  }
  return out;
}

/** The last (topmost) mount entry at exactly this mount point, or null. */
export function mountAt(mounts: MountEntry[], mountpoint: string): MountEntry | null {
  const abs = resolve(mountpoint);
  let found: MountEntry | null = null;
  for (const m of mounts) if (m.mountpoint === abs) found = m;
  return found;
}

/** Lazily unmounts a FUSE mount point (`umount -l`, as root), asynchronously. */
export function lazyUnmount(mountpoint: string): Promise<void> {
  return new Promise((res, rej) => {
    execFile('umount', ['-l', resolve(mountpoint)], { timeout: 10_000 }, (err, _out, stderr) => {
      if (err) rej(new Error(`umount -l ${mountpoint} failed: ${String(stderr).trim() || err.message}`));
      else res();
    });
  });
}

/** True if a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
