/**
 * Which chunks a Locate with write=true may place: no more than PLACE_WINDOW chunks past the chunk holding a
 * file's last byte (so placements without data stay bounded per file), and none that starts past the bytes the
 * file's quotas leave it. A chunk a write needs further out is placed once the writer has extended the file
 * (Extend, which checks the quota: EDQUOT), so sparse writes at any offset keep working.
 */

/** Chunks a Locate may place past the end of a file (the client places 8 ahead of a growing file). */
export const PLACE_WINDOW = 64;

/** The first chunk index a Locate may not place, for a file of `size` bytes that may grow by `room` bytes. */
export function placementBound(size: number, chunkSize: number, room: number): number {
  const window = Math.ceil(size / chunkSize) + PLACE_WINDOW;
  if (room === Infinity) return window;
  // chunk i holds bytes from i*chunkSize on: worth placing only if the file may grow past its start
  return Math.min(window, Math.ceil((size + room) / chunkSize));
}
