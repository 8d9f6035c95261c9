/**
 * The kernel's read-ahead for a FUSE mount: its backing device starts at 128 KiB and INIT can only lower it, so
 * sequential readers would send READs of 128 KiB whatever max_pages allows; as root it is raised through sysfs.
 */
import { readFileSync, writeFileSync } from 'fs';
import { resolve } from 'path';

/** The device (major:minor) mounted on mountpoint, from /proc/self/mountinfo (no request to the file system itself). */
function deviceOf(mountpoint: string): string | null {
  const want = resolve(mountpoint);
  let found: string | null = null;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    // mount points with spaces are octal-escaped (\040); the last mount on a path is the visible one
    if (f[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) === want) found = f[2] ?? null;
  }
  return found;
}

/** Sets the read-ahead of the file system mounted on mountpoint to kib KiB; returns why not, or null when done. */
export function setReadAhead(mountpoint: string, kib: number): string | null {
  try {
    const dev = deviceOf(mountpoint);
    if (!dev) return `${mountpoint} is not in /proc/self/mountinfo`;
    writeFileSync(`/sys/class/bdi/${dev}/read_ahead_kb`, `${kib}\n`);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
