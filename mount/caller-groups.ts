/**
 * The supplementary groups of the process behind a FUSE request (the request header names only its uid, gid and
 * pid): read from /proc/PID/status without blocking the event loop, and kept per pid for a moment, so a process's
 * stream of requests costs one read.
 */
import { readFile } from 'fs/promises';
import { MAX_CRED_GROUPS } from '../src/limits';

/** How long a pid's groups are trusted (a process rarely changes them; a pid is rarely reused within a second). */
const TTL_MS = 1000;
/** Most pids kept. */
const MAX_PIDS = 4096;

/** The groups listed on the "Groups:" line of a /proc/PID/status text (at most MAX_CRED_GROUPS). */
export function parseGroups(status: string): number[] {
  const line = /^Groups:(.*)$/m.exec(status);
  if (!line?.[1]) return [];
  const out: number[] = [];
  for (const word of line[1].trim().split(/\s+/)) {
    const g = Number(word);
    if (word !== '' && Number.isInteger(g) && g >= 0 && g <= 0xfffffffe) out.push(g);
    if (out.length >= MAX_CRED_GROUPS) break;
  }
  return out;
}

/** Supplementary groups by pid, cached briefly. */
export class CallerGroups {
  private readonly cache = new Map<number, { at: number; groups: Promise<number[]> }>();
  /** /proc reads made (a measure of the cache's use). */
  reads = 0;

  /** The groups of pid (none for pid 0, a request the kernel makes itself, or a process already gone). */
  groups(pid: number): Promise<number[]> {
    if (pid <= 0) return Promise.resolve([]);
    const now = Date.now();
    const hit = this.cache.get(pid);
    if (hit && now - hit.at < TTL_MS) return hit.groups;
    if (hit) this.cache.delete(pid);
    else if (this.cache.size >= MAX_PIDS) {
      for (const [old, e] of this.cache) if (now - e.at >= TTL_MS || this.cache.size >= MAX_PIDS) this.cache.delete(old);
    }
    this.reads++;
    const groups = readFile(`/proc/${pid}/status`, 'latin1').then(parseGroups, () => []);
    this.cache.set(pid, { at: now, groups });
    return groups;
  }
}
