/** POSIX byte-range lock arithmetic shared by the manager's lock table and the client's mirror of what it holds. */
import { F_UNLCK, F_WRLCK } from './posix';

/** One locked range of one owner: [start, end] inclusive (end LOCK_EOF: to the end of the file, whatever its size). */
export interface LockRange {
  /** F_RDLCK or F_WRLCK. */
  type: number;
  start: number;
  end: number;
  /** The pid the locking process gave (reported by F_GETLK; meaningless across machines, as on NFS). */
  pid: number;
}

/** True when two ranges share at least one byte. */
export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** True when two locks of different owners on overlapping bytes cannot both be held (one of them writes). */
export function clash(a: { type: number }, b: { type: number }): boolean {
  return a.type === F_WRLCK || b.type === F_WRLCK;
}

/**
 * One owner's ranges after it sets [start, end] to type (F_UNLCK removes): what the new range covers is split off
 * the old ranges (an upgrade or downgrade of part of a range), then adjacent or overlapping ranges of one type merge,
 * as fcntl(2) does for the locks of one process. The input is not changed.
 */
export function applyRange(own: readonly LockRange[], type: number, start: number, end: number, pid: number): LockRange[] {
  const out: LockRange[] = [];
  for (const r of own) {
    if (r.end < start || r.start > end) {
      out.push({ ...r });
      continue;
    }
    if (r.start < start) out.push({ ...r, end: start - 1 });
    if (r.end > end) out.push({ ...r, start: end + 1 });
  }
  if (type !== F_UNLCK) out.push({ type, start, end, pid });
  out.sort((a, b) => a.start - b.start);
  const merged: LockRange[] = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && last.type === r.type && last.end + 1 >= r.start) last.end = Math.max(last.end, r.end);
    else merged.push(r);
  }
  return merged;
}
