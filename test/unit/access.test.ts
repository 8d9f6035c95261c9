import { Namespace } from '../../src/manager/namespace';
import * as acc from '../../src/manager/access';
import { O } from '../../src/posix';
import { credCheck } from '../../transport/messages';
import { ProtocolError } from '../../transport/frame';
import { MAX_CRED_GROUPS } from '../../src/limits';
import type { Cred } from '../../src/types';
import { code } from '../helpers/errno';

const root = acc.ROOT;
const alice: Cred = { uid: 1000, gid: 1000, groups: [] };
const bob: Cred = { uid: 1001, gid: 1001, groups: [50] };
const F = 0o100000;
const D = 0o040000;
const file = (mode: number, uid = 0, gid = 0) => ({ mode: F | mode, uid, gid });
const dir = (mode: number, uid = 0, gid = 0) => ({ mode: D | mode, uid, gid });
/** The errno fn throws, or 'ok'. */
const res = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch {
    return code(fn);
  }
};

describe('permission bits (generic_permission)', () => {
  it('uses one class only: owner, else group (primary or supplementary), else others', () => {
    expect(acc.permits(alice, file(0o077, 1000), acc.MAY_READ)).toBe(false); // owner class, even when others may
    expect(acc.permits(alice, file(0o640, 0, 1000), acc.MAY_READ)).toBe(true);
    expect(acc.permits(bob, file(0o060, 0, 50), acc.MAY_READ | acc.MAY_WRITE)).toBe(true);
    expect(acc.permits(bob, file(0o604, 0, 50), acc.MAY_READ)).toBe(false);
    expect(acc.permits(alice, file(0o604), acc.MAY_READ)).toBe(true);
  });
  it('lets root read and write anything, exec a file only with some x bit, search any directory', () => {
    expect(acc.permits(root, file(0o000, 5), acc.MAY_READ | acc.MAY_WRITE)).toBe(true);
    expect(acc.permits(root, file(0o600, 5), acc.MAY_EXEC)).toBe(false);
    expect(acc.permits(root, file(0o001, 5), acc.MAY_EXEC)).toBe(true);
    expect(acc.permits(root, dir(0o000, 5), acc.MAY_EXEC | acc.MAY_WRITE)).toBe(true);
  });
  it('asks read or write by O_ACCMODE, write for O_TRUNC, exec for execve', () => {
    expect(acc.openMask(O.RDONLY)).toBe(acc.MAY_READ);
    expect(acc.openMask(O.WRONLY)).toBe(acc.MAY_WRITE);
    expect(acc.openMask(O.RDWR)).toBe(acc.MAY_READ | acc.MAY_WRITE);
    expect(acc.openMask(O.RDONLY | O.TRUNC)).toBe(acc.MAY_READ | acc.MAY_WRITE);
    expect(acc.openMask(O.RDONLY | acc.FMODE_EXEC)).toBe(acc.MAY_EXEC);
  });
});

describe('directory rules', () => {
  it('create needs write and search on the directory', () => {
    expect(res(() => acc.mayCreate(alice, dir(0o700, 0), 'x'))).toBe('EACCES');
    expect(res(() => acc.mayCreate(alice, dir(0o733, 0), 'x'))).toBe('ok');
    expect(res(() => acc.mayCreate(alice, dir(0o755, 0), 'x'))).toBe('EACCES');
  });
  it('a sticky directory lets only the file owner, the directory owner or root remove (EPERM)', () => {
    const tmp = dir(0o1777, 0);
    expect(res(() => acc.mayDelete(alice, tmp, file(0o644, 1001), 'x'))).toBe('EPERM');
    expect(res(() => acc.mayDelete(alice, tmp, file(0o644, 1000), 'x'))).toBe('ok');
    expect(res(() => acc.mayDelete(alice, dir(0o1777, 1000), file(0o644, 1001), 'x'))).toBe('ok');
    expect(res(() => acc.mayDelete(root, tmp, file(0o644, 1001), 'x'))).toBe('ok');
    expect(res(() => acc.mayDelete(alice, dir(0o1755, 0), file(0o644, 1000), 'x'))).toBe('EACCES'); // write first
  });
});

describe('attribute rules', () => {
  it('chmod: owner or root; SGID dropped for a caller outside the group', () => {
    expect(res(() => acc.chmodMode(alice, file(0o644, 1001), 0o600, 'x'))).toBe('EPERM');
    expect(acc.chmodMode(alice, file(0o644, 1000, 7), 0o2755, 'x')).toBe(0o755);
    expect(acc.chmodMode(alice, file(0o644, 1000, 1000), 0o2755, 'x')).toBe(0o2755);
    expect(acc.chmodMode(root, file(0o644, 1000, 7), 0o2755, 'x')).toBe(0o2755);
  });
  it('chown: only root gives a file away; the owner may pick one of its groups', () => {
    expect(res(() => acc.mayChown(alice, file(0o644, 1000, 1000), 1001, -1, 'x'))).toBe('EPERM');
    expect(res(() => acc.mayChown(bob, file(0o644, 1001, 1001), -1, 50, 'x'))).toBe('ok');
    expect(res(() => acc.mayChown(bob, file(0o644, 1001, 1001), -1, 51, 'x'))).toBe('EPERM');
    expect(res(() => acc.mayChown(bob, file(0o644, 1000, 50), -1, 50, 'x'))).toBe('EPERM'); // not the owner
    expect(res(() => acc.mayChown(alice, file(0o644, 1000, 1000), 1000, 0xffffffff, 'x'))).toBe('ok');
    expect(res(() => acc.mayChown(root, file(0o644, 1000, 1000), 5, 5, 'x'))).toBe('ok');
  });
  it('utimens: explicit times by the owner (EPERM), now also by a writer (EACCES otherwise)', () => {
    expect(res(() => acc.mayUtimens(alice, file(0o666, 0), false, 'x'))).toBe('EPERM');
    expect(res(() => acc.mayUtimens(alice, file(0o666, 0), true, 'x'))).toBe('ok');
    expect(res(() => acc.mayUtimens(alice, file(0o644, 0), true, 'x'))).toBe('EACCES');
    expect(res(() => acc.mayUtimens(alice, file(0o400, 1000), false, 'x'))).toBe('ok');
  });
  it('xattrs: user.* by permission, trusted.* and writing security.* for root, user.* only on files and directories', () => {
    expect(res(() => acc.mayXattr(alice, file(0o644, 0), 'user.a', true, 'x'))).toBe('EACCES');
    expect(res(() => acc.mayXattr(alice, file(0o644, 0), 'user.a', false, 'x'))).toBe('ok');
    expect(res(() => acc.mayXattr(alice, file(0o600, 0), 'user.a', false, 'x'))).toBe('EACCES');
    expect(res(() => acc.mayXattr(alice, file(0o666, 0), 'trusted.a', true, 'x'))).toBe('EPERM');
    expect(res(() => acc.mayXattr(alice, file(0o666, 0), 'trusted.a', false, 'x'))).toBe('ENODATA');
    expect(res(() => acc.mayXattr(alice, file(0o666, 0), 'security.a', true, 'x'))).toBe('EPERM');
    expect(res(() => acc.mayXattr(alice, file(0o600, 0), 'security.a', false, 'x'))).toBe('ok');
    expect(res(() => acc.mayXattr(alice, dir(0o1777, 0), 'user.a', true, 'x'))).toBe('EPERM');
    expect(res(() => acc.mayXattr(alice, { mode: 0o010666, uid: 0, gid: 0 }, 'user.a', true, 'x'))).toBe('EPERM');
    expect(acc.showsXattr(alice, 'trusted.a')).toBe(false);
    expect(acc.showsXattr(root, 'trusted.a')).toBe(true);
  });
  it('protected hard links: a non-owner links only a regular file it may read and write', () => {
    expect(res(() => acc.mayLink(alice, file(0o644, 0), 'x'))).toBe('EPERM');
    expect(res(() => acc.mayLink(alice, file(0o666, 0), 'x'))).toBe('ok');
    expect(res(() => acc.mayLink(alice, file(0o4666, 0), 'x'))).toBe('EPERM');
    expect(res(() => acc.mayLink(alice, file(0o600, 1000), 'x'))).toBe('ok');
  });
  it('a file made in a setgid directory keeps SGID only for a member of its group', () => {
    expect(acc.createdMode(alice, dir(0o2777, 0, 7), F | 0o2755)).toBe(F | 0o755);
    expect(acc.createdMode(bob, dir(0o2777, 0, 50), F | 0o2755)).toBe(F | 0o2755);
    expect(acc.createdMode(alice, dir(0o777, 0, 7), F | 0o2755)).toBe(F | 0o2755);
    expect(acc.createdMode(alice, dir(0o2777, 0, 7), D | 0o2755)).toBe(D | 0o2755);
  });
  it('squash maps uid and gid 0 to nobody', () => {
    expect(acc.squash(root, true)).toEqual({ uid: 65534, gid: 65534, groups: [] });
    expect(acc.squash({ uid: 5, gid: 0, groups: [0, 7] }, true)).toEqual({ uid: 5, gid: 65534, groups: [7] });
    expect(acc.squash(alice, true)).toBe(alice);
    expect(acc.squash(root, false)).toBe(root);
  });
});

describe('paths', () => {
  /** /priv (0700 root) holding f; /pub (0777) holding g of alice; /tmp (1777) holding h of bob. */
  function tree(): Namespace {
    const ns = new Namespace({ rootMode: 0o755 });
    ns.mkdir('/priv', 0o700, 0, 0);
    ns.mknod('/priv/f', F | 0o644, 0, 0);
    ns.mkdir('/pub', 0o777, 0, 0);
    ns.mknod('/pub/g', F | 0o644, 1000, 1000);
    ns.mkdir('/tmp', 0o1777, 0, 0);
    ns.mknod('/tmp/h', F | 0o644, 1001, 1001);
    return ns;
  }
  it('needs search on every directory on the way, before ENOENT', () => {
    const ns = tree();
    expect(res(() => acc.existing(ns, alice, '/priv/f'))).toBe('EACCES');
    expect(res(() => acc.existing(ns, alice, '/priv/missing'))).toBe('EACCES');
    expect(res(() => acc.existing(ns, alice, '/pub/missing'))).toBe('ENOENT');
    expect(res(() => acc.existing(ns, root, '/priv/f'))).toBe('ok');
  });
  it('create: EEXIST before EACCES', () => {
    const ns = tree();
    expect(res(() => acc.creating(ns, alice, '/new'))).toBe('EACCES');
    expect(res(() => acc.creating(ns, alice, '/pub'))).toBe('EEXIST');
    expect(res(() => acc.creating(ns, alice, '/pub/new'))).toBe('ok');
  });
  it('remove and rename: sticky rules, write on a directory moved to another parent', () => {
    const ns = tree();
    expect(res(() => acc.removing(ns, alice, '/tmp/h'))).toBe('EPERM');
    expect(res(() => acc.removing(ns, bob, '/tmp/h'))).toBe('ok');
    expect(res(() => acc.renaming(ns, alice, '/tmp/h', '/pub/h', 0))).toBe('EPERM');
    expect(res(() => acc.renaming(ns, alice, '/pub/g', '/tmp/g', 0))).toBe('ok');
    expect(res(() => acc.renaming(ns, alice, '/pub/g', '/g', 0))).toBe('EACCES');
    ns.mkdir('/pub/d', 0o755, 0, 0);
    expect(res(() => acc.renaming(ns, alice, '/pub/d', '/pub/e', 0))).toBe('ok');
    expect(res(() => acc.renaming(ns, alice, '/pub/d', '/tmp/d', 0))).toBe('EACCES'); // its '..' changes: write on it
    expect(res(() => acc.renaming(ns, alice, '/pub/g', '/tmp/h', 1))).toBe('EEXIST');
  });
});

describe('credentials on the wire', () => {
  it('are checked at the edge: ids in range, a bounded group list, a wrong type closes the link', () => {
    expect(credCheck({ uid: 1000, gid: 1000 }, 'cred')).toEqual({ uid: 1000, gid: 1000, groups: [] });
    expect(res(() => credCheck({ uid: -1, gid: 0 }, 'cred'))).toBe('EINVAL');
    expect(res(() => credCheck({ uid: 2 ** 32 - 1, gid: 0 }, 'cred'))).toBe('EINVAL');
    expect(res(() => credCheck({ uid: 1, gid: 1, groups: new Array(MAX_CRED_GROUPS + 1).fill(1) }, 'cred'))).toBe('E2BIG');
    expect(() => credCheck({ uid: '0', gid: 0 }, 'cred')).toThrow(ProtocolError);
  });
});
