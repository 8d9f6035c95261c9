/**
 * Permission rules of the manager: the checks the Linux kernel makes with default_permissions (generic_permission,
 * may_create, may_delete, setattr_prepare, xattr_permission, may_linkat), as tmpfs answers them, applied to the
 * credentials each request carries. Pure functions over attributes, plus path walks that check search permission on
 * every directory on the way.
 */
import { FsError } from '../errors';
import { NOBODY_ID } from '../limits';
import { O, S_IFDIR, S_IFMT, S_IFREG } from '../posix';
import type { Attr, Cred } from '../types';

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;
const S_IXGRP = 0o010;
const S_IXUGO = 0o111;
/** open(2)'s __FMODE_EXEC: the kernel opens a file for execve with it (exec permission instead of read). */
export const FMODE_EXEC = 0o40;

/** uid 0 with no groups: what a request without credentials is (a client states its ids; saying nothing is root, as before). */
export const ROOT: Cred = { uid: 0, gid: 0, groups: [] };

/** The attributes a permission decision reads. */
export type Node = Readonly<Pick<Attr, 'mode' | 'uid' | 'gid'>>;

/** True for uid 0 (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN...). */
export function isRoot(c: Cred): boolean {
  return c.uid === 0;
}

/** True when gid is the caller's group or one of its supplementary groups (in_group_p). */
export function inGroup(c: Cred, gid: number): boolean {
  return c.gid === gid || c.groups.includes(gid);
}

/** --squash-root: uid 0 becomes nobody, and gid 0 nogroup (supplementary group 0 goes too). */
export function squash(c: Cred, squashRoot: boolean): Cred {
  if (!squashRoot || (c.uid !== 0 && c.gid !== 0 && !c.groups.includes(0))) return c;
  return { uid: c.uid === 0 ? NOBODY_ID : c.uid, gid: c.gid === 0 ? NOBODY_ID : c.gid, groups: c.groups.filter((g) => g !== 0) };
}

/** generic_permission: the owner's, group's or others' bits (one class only); root passes, but exec needs some x bit on a non-directory. */
export function permits(c: Cred, a: Node, mask: number): boolean {
  if (isRoot(c)) return !(mask & MAY_EXEC) || (a.mode & S_IFMT) === S_IFDIR || (a.mode & S_IXUGO) !== 0;
  const bits = c.uid === a.uid ? a.mode >> 6 : inGroup(c, a.gid) ? a.mode >> 3 : a.mode;
  return (bits & mask & 7) === (mask & 7);
}

/** EACCES unless permits. */
export function need(c: Cred, a: Node, mask: number, what: string): void {
  if (!permits(c, a, mask)) throw new FsError('EACCES', what);
}

/** inode_owner_or_capable. */
export function ownerOrRoot(c: Cred, a: Node): boolean {
  return isRoot(c) || c.uid === a.uid;
}

/** may_create: write and search on the directory. */
export function mayCreate(c: Cred, dir: Node, what: string): void {
  need(c, dir, MAY_WRITE | MAY_EXEC, what);
}

/** may_delete: write and search on the directory; in a sticky one only the file's or directory's owner (or root), else EPERM. */
export function mayDelete(c: Cred, dir: Node, victim: Node, what: string): void {
  need(c, dir, MAY_WRITE | MAY_EXEC, what);
  if (dir.mode & S_ISVTX && !isRoot(c) && c.uid !== victim.uid && c.uid !== dir.uid) throw new FsError('EPERM', `${what}: sticky directory`);
}

/** What open(2) asks of an existing file: read and/or write by O_ACCMODE, write for O_TRUNC, exec (not read) for execve. */
export function openMask(flags: number): number {
  const acc = flags & O.ACCMODE;
  let mask = acc === O.RDONLY ? MAY_READ : acc === O.WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
  if (flags & FMODE_EXEC) mask = MAY_EXEC;
  if (flags & O.TRUNC) mask |= MAY_WRITE;
  return mask;
}

/** chmod: the owner or root (EPERM); a caller not in the file's group (and not root) cannot set SGID: answers the mode to set. */
export function chmodMode(c: Cred, a: Node, mode: number, what: string): number {
  if (!ownerOrRoot(c, a)) throw new FsError('EPERM', what);
  return !isRoot(c) && !inGroup(c, a.gid) ? mode & ~S_ISGID : mode;
}

/** The SUID/SGID bits a write, truncate or chown by a caller clears (SGID only with group exec, as should_remove_suid); a directory keeps them. */
export function killedPrivs(a: Node): number {
  if ((a.mode & S_IFMT) !== S_IFREG) return 0;
  return (a.mode & S_ISUID) | ((a.mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP) ? S_ISGID : 0);
}

/** chown_ok / chgrp_ok: only root gives a file away; its owner may set the group to one of its own groups (EPERM). -1: unchanged. */
export function mayChown(c: Cred, a: Node, uid: number, gid: number, what: string): void {
  if (isRoot(c)) return;
  const owner = c.uid === a.uid;
  if (uid !== -1 && uid !== 0xffffffff && !(owner && uid === a.uid)) throw new FsError('EPERM', `${what}: only root changes the owner`);
  if (gid !== -1 && gid !== 0xffffffff && !(owner && (gid === a.gid || inGroup(c, gid)))) throw new FsError('EPERM', `${what}: not the owner, or not one of the caller's groups`);
}

/** utimensat: explicit times need ownership (EPERM); setting both to now needs ownership or write permission (EACCES). */
export function mayUtimens(c: Cred, a: Node, now: boolean, what: string): void {
  if (ownerOrRoot(c, a)) return;
  if (!now) throw new FsError('EPERM', `${what}: only the owner sets explicit times`);
  need(c, a, MAY_WRITE, what);
}

/** xattr_permission (and the capability module's rule for security.*): who may read or change one extended attribute. */
export function mayXattr(c: Cred, a: Node, name: string, write: boolean, what: string): void {
  const denied = (): never => {
    throw write ? new FsError('EPERM', what) : new FsError('ENODATA', what);
  };
  if (name.startsWith('security.') || name.startsWith('system.')) {
    if (write && name.startsWith('security.') && !isRoot(c)) denied();
    return;
  }
  if (name.startsWith('trusted.')) {
    if (!isRoot(c)) denied();
    return;
  }
  if (name.startsWith('user.')) {
    const kind = a.mode & S_IFMT;
    if (kind !== S_IFREG && kind !== S_IFDIR) denied();
    if (kind === S_IFDIR && a.mode & S_ISVTX && write && !ownerOrRoot(c, a)) throw new FsError('EPERM', `${what}: sticky directory`);
  }
  need(c, a, write ? MAY_WRITE : MAY_READ, what);
}

/** listxattr: trusted.* names are shown to root only (as tmpfs lists them). */
export function showsXattr(c: Cred, name: string): boolean {
  return isRoot(c) || !name.startsWith('trusted.');
}

/** may_linkat with fs.protected_hardlinks=1: a non-owner links only a regular file it may read and write, without SUID or SGID+group exec (EPERM). */
export function mayLink(c: Cred, a: Node, what: string): void {
  if (ownerOrRoot(c, a)) return;
  const ok = (a.mode & S_IFMT) === S_IFREG && !(a.mode & S_ISUID) && (a.mode & (S_ISGID | S_IXGRP)) !== (S_ISGID | S_IXGRP) && permits(c, a, MAY_READ | MAY_WRITE);
  if (!ok) throw new FsError('EPERM', `${what}: protected hard link`);
}

// ------------------------------------------------------------------ paths

/** What a path walk needs of the namespace (Namespace.resolve). */
export interface Resolver {
  resolve(path: string, search: (dir: Readonly<Attr>) => void): { parent: Readonly<Attr> | null; name: string; node: Readonly<Attr> | null };
}

/** A walked path: the final name's directory (null: the root itself) and its inode (null: no such name). */
export type Walked = ReturnType<Resolver['resolve']>;

/** Walks a path checking search permission on every directory on the way (EACCES), as a lookup does. */
export function walk(ns: Resolver, c: Cred, path: string): Walked {
  return ns.resolve(path, (dir) => need(c, dir, MAY_EXEC, path));
}

/** Like walk, for a name that must exist (ENOENT). */
export function existing(ns: Resolver, c: Cred, path: string): { parent: Readonly<Attr> | null; node: Readonly<Attr> } {
  const w = walk(ns, c, path);
  if (!w.node) throw new FsError('ENOENT', path);
  return { parent: w.parent, node: w.node };
}

/** Creation at path (mknod, mkdir, symlink, link's target): EEXIST before write and search on the directory, as the kernel orders them. */
export function creating(ns: Resolver, c: Cred, path: string): Readonly<Attr> | null {
  const w = walk(ns, c, path);
  if (w.node) throw new FsError('EEXIST', path);
  if (w.parent) mayCreate(c, w.parent, path);
  return w.parent;
}

/** mode_strip_sgid: a non-directory made in a setgid directory keeps SGID (with group exec) only for a member of the directory's group. */
export function createdMode(c: Cred, dir: Node | null, mode: number): number {
  if ((mode & (S_ISGID | S_IXGRP)) !== (S_ISGID | S_IXGRP) || (mode & S_IFMT) === S_IFDIR || !dir || !(dir.mode & S_ISGID)) return mode;
  return isRoot(c) || inGroup(c, dir.gid) ? mode : mode & ~S_ISGID;
}

/** Removal of the name at path (unlink, rmdir): may_delete on its directory. */
export function removing(ns: Resolver, c: Cred, path: string): void {
  const w = existing(ns, c, path);
  if (w.parent) mayDelete(c, w.parent, w.node, path);
}

/** rename(2)'s checks (vfs_rename): may_delete of the source, may_create or may_delete at the target, write on a directory that changes parent. */
export function renaming(ns: Resolver, c: Cred, src: string, dst: string, flags: number): void {
  const from = existing(ns, c, src);
  const to = walk(ns, c, dst);
  const exchange = (flags & 2) !== 0;
  if (flags & 1 && to.node) throw new FsError('EEXIST', dst);
  if (exchange && !to.node) throw new FsError('ENOENT', dst);
  if (to.node === from.node || !from.parent || !to.parent) return; // same inode: nothing happens; the root: the namespace refuses
  mayDelete(c, from.parent, from.node, src);
  if (to.node) mayDelete(c, to.parent, to.node, dst);
  else mayCreate(c, to.parent, dst);
  if (from.parent === to.parent) return;
  if ((from.node.mode & S_IFMT) === S_IFDIR) need(c, from.node, MAY_WRITE, src);
  if (exchange && to.node && (to.node.mode & S_IFMT) === S_IFDIR) need(c, to.node, MAY_WRITE, dst);
}

/** Setting and clearing directory quotas: root's (not squashed), EPERM for anyone else. */
export function mayManageQuotas(c: Cred, what: string): void {
  if (!isRoot(c)) throw new FsError('EPERM', `${what}: only root sets or clears quotas`);
}
