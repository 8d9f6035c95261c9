import { Namespace } from '../../src/manager/namespace';
import { code } from '../helpers/errno';
import { RENAME_EXCHANGE } from '../../src/posix';
import { placementBound, PLACE_WINDOW } from '../../src/manager/placement-window';

const used = (ns: Namespace, p: string) => {
  const q = ns.getQuota(p);
  return q ? [q.usedFiles, q.usedBytes] : null;
};

/** A file of size bytes at path. */
function file(ns: Namespace, path: string, size: number): number {
  const a = ns.mknod(path, 0o644, 0, 0);
  if (size) ns.setSize(a.ino, size);
  return a.ino;
}

describe('Quotas', () => {
  test('usage is derived by a walk when set, and kept by creates, writes and removals', () => {
    const ns = new Namespace();
    ns.mkdir('/q', 0o755, 0, 0);
    ns.mkdir('/q/d', 0o755, 0, 0);
    file(ns, '/q/d/a', 100);
    file(ns, '/outside', 1000);
    expect(ns.setQuota('/q', { bytes: 1000, files: 5 })).toMatchObject({ path: '/q', usedFiles: 2, usedBytes: 100, bytes: 1000, files: 5 });
    const b = file(ns, '/q/b', 0);
    ns.extend(b, 300);
    ns.symlink('/x', '/q/d/l', 0, 0);
    expect(used(ns, '/q')).toEqual([4, 400]);
    ns.unlink('/q/d/a');
    expect(used(ns, '/q')).toEqual([3, 300]);
    ns.unlink('/q/d/l');
    ns.rmdir('/q/d');
    expect(used(ns, '/q')).toEqual([1, 300]);
    ns.setSize(b, 10);
    expect(used(ns, '/q')).toEqual([1, 10]);
  });

  test('EDQUOT at the files and bytes limits, nothing charged by a refused call', () => {
    const ns = new Namespace();
    ns.mkdir('/q', 0o755, 0, 0);
    ns.setQuota('/q', { files: 2, bytes: 1000 });
    const a = file(ns, '/q/a', 0);
    ns.mkdir('/q/d', 0o755, 0, 0);
    expect(code(() => ns.mknod('/q/d/c', 0o644, 0, 0))).toBe('EDQUOT');
    expect(code(() => ns.mkdir('/q/e', 0o755, 0, 0))).toBe('EDQUOT');
    expect(code(() => ns.symlink('/t', '/q/s', 0, 0))).toBe('EDQUOT');
    expect(used(ns, '/q')).toEqual([2, 0]);
    ns.extend(a, 1000);
    expect(code(() => ns.extend(a, 1001))).toBe('EDQUOT');
    expect(code(() => ns.setSize(a, 2000))).toBe('EDQUOT');
    expect(ns.getattrIno(a).size).toBe(1000);
    expect(ns.quotas.roomFor(a)).toBe(0);
    ns.setSize(a, 0); // shrinking always works
    expect(used(ns, '/q')).toEqual([2, 0]);
    // outside the quota nothing is limited
    file(ns, '/free', 5000);
    // a lowered limit below usage refuses growth only
    ns.extend(a, 500);
    ns.setQuota('/q', { bytes: 100 });
    expect(code(() => ns.extend(a, 501))).toBe('EDQUOT');
    ns.extend(a, 400);
    ns.setQuota('/q', { bytes: null });
    ns.extend(a, 1 << 30);
    expect(ns.getQuota('/q')).toMatchObject({ bytes: null, files: 2, usedBytes: 1 << 30 });
  });

  test('nested quotas: the tightest one decides; both count', () => {
    const ns = new Namespace();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/a/b', 0o755, 0, 0);
    ns.setQuota('/a', { bytes: 1000 });
    ns.setQuota('/a/b', { bytes: 300 });
    const f = file(ns, '/a/b/f', 300);
    expect(code(() => ns.extend(f, 301))).toBe('EDQUOT');
    const g = file(ns, '/a/g', 700);
    expect(code(() => ns.extend(g, 701))).toBe('EDQUOT');
    expect(used(ns, '/a')).toEqual([3, 1000]);
    expect(used(ns, '/a/b')).toEqual([1, 300]);
    expect(
      ns
        .listQuotas()
        .map((q) => q.path)
        .sort(),
    ).toEqual(['/a', '/a/b']);
  });

  test('renames of files move their usage (EDQUOT when the target has no room); directories with entries across a boundary are EXDEV', () => {
    const ns = new Namespace();
    ns.mkdir('/q', 0o755, 0, 0);
    ns.mkdir('/d', 0o755, 0, 0);
    file(ns, '/big', 600);
    file(ns, '/small', 100);
    file(ns, '/d/x', 1);
    ns.setQuota('/q', { bytes: 500, files: 10 });
    expect(code(() => ns.rename('/big', '/q/big'))).toBe('EDQUOT');
    expect(ns.getattr('/big').size).toBe(600);
    ns.rename('/small', '/q/small');
    expect(used(ns, '/q')).toEqual([1, 100]);
    ns.rename('/q/small', '/back');
    expect(used(ns, '/q')).toEqual([0, 0]);
    expect(code(() => ns.rename('/d', '/q/d'))).toBe('EXDEV');
    ns.mkdir('/q/full', 0o755, 0, 0);
    file(ns, '/q/full/x', 1);
    ns.mkdir('/e2', 0o755, 0, 0);
    expect(code(() => ns.rename('/e2', '/q/full'))).toBe('ENOTEMPTY'); // as without quotas
    ns.unlink('/q/full/x');
    ns.rmdir('/q/full');
    ns.rmdir('/e2');
    ns.mkdir('/empty', 0o755, 0, 0);
    ns.rename('/empty', '/q/empty');
    expect(used(ns, '/q')).toEqual([1, 0]);
    // replacing a file frees its bytes before the new one is counted
    file(ns, '/q/v', 400);
    file(ns, '/v2', 450);
    ns.rename('/v2', '/q/v');
    expect(used(ns, '/q')).toEqual([2, 450]);
    // a rename inside the quota changes nothing; the quota root itself may move
    ns.rename('/q/v', '/q/empty/v');
    expect(used(ns, '/q')).toEqual([2, 450]);
    ns.rename('/q', '/q2');
    expect(ns.getQuota('/q2')).toMatchObject({ usedFiles: 2, usedBytes: 450 });
    // exchange across the boundary moves both
    file(ns, '/w', 10);
    ns.rename('/w', '/q2/empty/v', RENAME_EXCHANGE);
    expect(used(ns, '/q2')).toEqual([2, 10]);
  });

  test('hard links count once under a quota; the file leaves it with its last link there', () => {
    const ns = new Namespace();
    ns.mkdir('/q', 0o755, 0, 0);
    ns.setQuota('/q', { bytes: 1000 });
    const f = file(ns, '/f', 100);
    ns.link('/f', '/q/l1');
    ns.link('/f', '/q/l2');
    expect(used(ns, '/q')).toEqual([1, 100]);
    ns.extend(f, 200);
    expect(used(ns, '/q')).toEqual([1, 200]);
    ns.unlink('/q/l1');
    expect(used(ns, '/q')).toEqual([1, 200]);
    ns.unlink('/q/l2');
    expect(used(ns, '/q')).toEqual([0, 0]);
    ns.extend(f, 5000); // no longer under the quota
    expect(used(ns, '/q')).toEqual([0, 0]);
    file(ns, '/g', 2000);
    expect(code(() => ns.link('/g', '/q/g'))).toBe('EDQUOT');
  });

  test('the table is plain data: saved limits load into a namespace and usage is walked again', () => {
    const ns = new Namespace();
    ns.mkdir('/q', 0o755, 0, 0);
    file(ns, '/q/a', 10);
    ns.setQuota('/q', { bytes: 50, files: null });
    const saved = JSON.parse(JSON.stringify(ns.quotas));
    expect(saved).toEqual([{ ino: ns.lookupIno('/q'), bytes: 50, files: null }]);
    ns.clearQuota('/q');
    expect(ns.getQuota('/q')).toBeNull();
    ns.quotas.load(saved);
    expect(ns.getQuota('/q')).toMatchObject({ usedFiles: 1, usedBytes: 10, bytes: 50 });
    ns.unlink('/q/a');
    ns.rmdir('/q');
    expect(ns.quotas.list()).toEqual([]);
  });

  test('bad input: a file is not a quota root, limits are whole numbers', () => {
    const ns = new Namespace();
    file(ns, '/f', 0);
    expect(code(() => ns.setQuota('/f', { bytes: 1 }))).toBe('ENOTDIR');
    expect(code(() => ns.setQuota('/', { bytes: -1 }))).toBe('EINVAL');
    expect(code(() => ns.setQuota('/', { files: 1.5 }))).toBe('EINVAL');
    expect(code(() => ns.getQuota('/nope'))).toBe('ENOENT');
  });
});

describe('max files and xattr bytes', () => {
  test('ENOSPC once maxFiles inodes (root included) exist; freeing one lets a create through', () => {
    const ns = new Namespace({ maxFiles: 3 });
    ns.mknod('/a', 0o644, 0, 0);
    ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.mknod('/b', 0o644, 0, 0))).toBe('ENOSPC');
    expect(code(() => ns.mkdir('/e', 0o755, 0, 0))).toBe('ENOSPC');
    ns.unlink('/a');
    ns.mknod('/b', 0o644, 0, 0);
  });

  test("one inode's xattrs and the namespace's are bounded (ENOSPC); removing gives room back", () => {
    const ns = new Namespace({ maxXattrBytes: 1000, maxXattrTotal: 1500 });
    ns.mknod('/f', 0o644, 0, 0);
    ns.mknod('/g', 0o644, 0, 0);
    ns.setxattr('/f', 'user.a', Buffer.alloc(494), 0); // 6 + 494
    ns.setxattr('/f', 'user.b', Buffer.alloc(494), 0);
    expect(code(() => ns.setxattr('/f', 'user.c', Buffer.alloc(1), 0))).toBe('ENOSPC');
    ns.setxattr('/f', 'user.b', Buffer.alloc(10), 0); // replacing with less is fine
    ns.setxattr('/f', 'user.c', Buffer.alloc(10), 0);
    ns.setxattr('/g', 'user.a', Buffer.alloc(900), 0);
    expect(code(() => ns.setxattr('/g', 'user.b', Buffer.alloc(100), 0))).toBe('ENOSPC'); // the namespace's 1500
    ns.removexattr('/f', 'user.a');
    ns.setxattr('/g', 'user.b', Buffer.alloc(88), 0);
    ns.unlink('/g'); // its xattrs go with it
    ns.mknod('/h', 0o644, 0, 0);
    ns.setxattr('/h', 'user.x', Buffer.alloc(990), 0);
    expect(code(() => ns.setxattr('/h', 'user.y', Buffer.alloc(65537), 0))).toBe('E2BIG');
  });
});

describe('placement window', () => {
  test('a window past the size, cut by the quota room at a chunk start', () => {
    expect(placementBound(0, 100, Infinity)).toBe(PLACE_WINDOW);
    expect(placementBound(250, 100, Infinity)).toBe(3 + PLACE_WINDOW);
    expect(placementBound(0, 100, 1000)).toBe(10);
    expect(placementBound(0, 100, 1050)).toBe(11);
    expect(placementBound(250, 100, 0)).toBe(3);
  });
});
