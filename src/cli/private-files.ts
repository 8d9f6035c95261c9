/**
 * Files only their owner may touch: secret files and daemon logs, created with O_EXCL|O_NOFOLLOW and mode 0600 in a
 * directory only the user can write, so no other local user can plant a symlink or a file there, or read them.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, writeSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

/** Creates dir (mode 0700) if missing and checks that only this user can write it: a real directory, ours (or root's), no group/other write. */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symlink?): refusing to keep private files there`);
  if (st.uid !== uid && st.uid !== 0) throw new Error(`${dir} belongs to uid ${st.uid}, not to you: refusing to keep private files there`);
  if (st.mode & 0o022) throw new Error(`${dir} is writable by group or others (mode ${(st.mode & 0o777).toString(8)}): run  chmod 700 ${dir}`);
  return dir;
}

/** Where this user's daemons log: /var/log/mempool for root, ~/.mempool/log for others (never the shared temporary directory). */
export function privateLogDir(): string {
  return process.getuid?.() === 0 ? ensurePrivateDir('/var/log/mempool') : ensurePrivateDir(join(ensurePrivateDir(join(homedir(), '.mempool')), 'log'));
}

/** Writes a new file (mode 0600) that must not exist yet; never follows a symlink. */
export function createPrivateFile(file: string, text: string): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a log for appending: created with O_EXCL|O_NOFOLLOW and mode 0600, or, if it exists, reopened without following a
 * symlink and only if it is a regular file of ours that group and others cannot access.
 */
export function openPrivateLog(file: string): number {
  try {
    return openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  const st = fstatSync(fd);
  if (!st.isFile() || st.uid !== (process.getuid?.() ?? 0) || st.mode & 0o077) {
    closeSync(fd);
    throw new Error(`log file ${file} is not a private file of yours (mode ${(st.mode & 0o777).toString(8)}): remove it or run  chmod 600 ${file}`);
  }
  return fd;
}
