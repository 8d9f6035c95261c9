import { defined } from '../helpers/defined';
import { FsError } from '../../src/errors';
import { Namespace } from '../../src/manager/namespace';
import { code } from '../helpers/errno';
import { textToBytes } from '../../src/client/pool-client';
import { RENAME_EXCHANGE, RENAME_NOREPLACE, XATTR_CREATE, XATTR_REPLACE, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFMT } from '../../src/posix';

/** A namespace with a manual clock. */
function make(): { ns: Namespace; clock: { t: number } } {
  const clock = { t: 1000 };
  const ns = new Namespace({ now: () => clock.t });
  return { ns, clock };
}

const names = (ns: Namespace, p: string): string[] =>
  ns
    .readdir(p)
    .map((e) => e.name)
    .sort();

describe('Namespace: root and basics', () => {
  test('root defaults', () => {
    const { ns } = make();
    const a = ns.getattr('/');
    expect(a.ino).toBe(1);
    expect(a.mode).toBe(0o40755);
    expect(a.nlink).toBe(2);
    expect(a.uid).toBe(0);
    expect(a.gid).toBe(0);
    expect(ns.readdir('/')).toEqual([]);
    expect(ns.lookupIno('/')).toBe(1);
  });

  test('rootMode option', () => {
    const ns = new Namespace({ rootMode: 0o1777 });
    expect(ns.getattr('/').mode).toBe(S_IFDIR | 0o1777);
  });

  test('create, stat, readdir', () => {
    const { ns, clock } = make();
    clock.t = 2000;
    const a = ns.mknod('/f', 0o644, 1000, 100);
    expect(a.mode).toBe(S_IFREG | 0o644);
    expect(a.nlink).toBe(1);
    expect(a.size).toBe(0);
    expect(a.uid).toBe(1000);
    expect(a.gid).toBe(100);
    expect(a.atimeMs).toBe(2000);
    expect(a.mtimeMs).toBe(2000);
    expect(a.ctimeMs).toBe(2000);
    expect(a.ino).toBeGreaterThan(1);
    expect(ns.getattr('/f')).toEqual(a);
    expect(ns.getattrIno(a.ino)).toEqual(a);
    expect(ns.lookupIno('/f')).toBe(a.ino);
    const root = ns.getattr('/');
    expect(root.mtimeMs).toBe(2000);
    expect(root.ctimeMs).toBe(2000);
    const entries = ns.readdir('/');
    expect(entries).toEqual([{ name: 'f', attr: a }]);
    expect(code(() => ns.readdir('/f'))).toBe('ENOTDIR');
  });

  test('returned attrs are copies', () => {
    const { ns } = make();
    const a = ns.mknod('/f', 0o644, 0, 0);
    a.size = 999;
    a.mode = 0;
    expect(ns.getattr('/f').size).toBe(0);
    const e = defined(ns.readdir('/')[0], 'the first directory entry');
    e.attr.nlink = 42;
    expect(ns.getattr('/f').nlink).toBe(1);
  });

  test('mknod types', () => {
    const { ns } = make();
    expect(ns.mknod('/fifo', S_IFIFO | 0o600, 0, 0).mode).toBe(S_IFIFO | 0o600);
    const dev = ns.mknod('/dev', S_IFCHR | 0o600, 0, 0, 0x0103);
    expect(dev.mode & S_IFMT).toBe(S_IFCHR);
    expect(dev.rdev).toBe(0x0103);
    expect(ns.mknod('/reg', S_IFREG | 0o4755, 0, 0).mode).toBe(S_IFREG | 0o4755);
    expect(code(() => ns.mknod('/d', S_IFDIR | 0o755, 0, 0))).toBe('EINVAL');
    expect(code(() => ns.mknod('/l', S_IFLNK | 0o777, 0, 0))).toBe('EINVAL');
  });

  test('inode numbers are never reused', () => {
    const { ns } = make();
    const a = ns.mknod('/a', 0o644, 0, 0).ino;
    ns.unlink('/a');
    const b = ns.mknod('/a', 0o644, 0, 0).ino;
    const d = ns.mkdir('/d', 0o755, 0, 0).ino;
    ns.rmdir('/d');
    const c = ns.mknod('/c', 0o644, 0, 0).ino;
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(d);
    expect(d).toBeGreaterThan(b);
  });
});

describe('Namespace: path errors', () => {
  test('EEXIST', () => {
    const { ns } = make();
    ns.mknod('/f', 0o644, 0, 0);
    ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.mknod('/f', 0o644, 0, 0))).toBe('EEXIST');
    expect(code(() => ns.mkdir('/f', 0o755, 0, 0))).toBe('EEXIST');
    expect(code(() => ns.mkdir('/d', 0o755, 0, 0))).toBe('EEXIST');
    expect(code(() => ns.symlink('x', '/d', 0, 0))).toBe('EEXIST');
    expect(code(() => ns.mkdir('/', 0o755, 0, 0))).toBe('EEXIST');
  });

  test('ENOENT', () => {
    const { ns } = make();
    expect(code(() => ns.getattr('/nope'))).toBe('ENOENT');
    expect(code(() => ns.lookupIno('/a/b'))).toBe('ENOENT');
    expect(code(() => ns.mknod('/a/b', 0o644, 0, 0))).toBe('ENOENT');
    expect(code(() => ns.unlink('/nope'))).toBe('ENOENT');
    expect(code(() => ns.rmdir('/nope'))).toBe('ENOENT');
    expect(code(() => ns.readdir('/nope'))).toBe('ENOENT');
    expect(code(() => ns.getattrIno(12345))).toBe('ENOENT');
    expect(code(() => ns.open(12345))).toBe('ENOENT');
    expect(code(() => ns.rename('/nope', '/x'))).toBe('ENOENT');
  });

  test('ENOTDIR for a path through a file', () => {
    const { ns } = make();
    ns.mknod('/f', 0o644, 0, 0);
    expect(code(() => ns.getattr('/f/x'))).toBe('ENOTDIR');
    expect(code(() => ns.mknod('/f/x', 0o644, 0, 0))).toBe('ENOTDIR');
    expect(code(() => ns.mkdir('/f/x/y', 0o755, 0, 0))).toBe('ENOTDIR');
    expect(code(() => ns.unlink('/f/x'))).toBe('ENOTDIR');
    expect(code(() => ns.rename('/f/x', '/y'))).toBe('ENOTDIR');
  });

  test('invalid paths', () => {
    const { ns } = make();
    expect(code(() => ns.getattr('relative'))).toBe('EINVAL');
    expect(code(() => ns.getattr(''))).toBe('EINVAL');
    expect(code(() => ns.getattr('//a'))).toBe('EINVAL');
    expect(code(() => ns.mknod('/a\0b', 0o644, 0, 0))).toBe('EINVAL');
    ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.mkdir('/d/.', 0o755, 0, 0))).toBe('EINVAL');
    expect(code(() => ns.mknod('/d/..', 0o644, 0, 0))).toBe('EINVAL');
    expect(code(() => ns.rename('/d', '/d/..'))).toBe('EINVAL');
    expect(code(() => ns.rmdir('/d/.'))).toBe('EINVAL');
  });

  test("'.' and '..' resolve in lookups", () => {
    const { ns } = make();
    const d = ns.mkdir('/d', 0o755, 0, 0);
    const f = ns.mknod('/d/f', 0o644, 0, 0);
    expect(ns.lookupIno('/d/.')).toBe(d.ino);
    expect(ns.lookupIno('/d/..')).toBe(1);
    expect(ns.lookupIno('/..')).toBe(1);
    expect(ns.lookupIno('/d/../d/./f')).toBe(f.ino);
  });

  test('ENAMETOOLONG at 256-byte component, 255 OK', () => {
    const { ns } = make();
    const ok = 'a'.repeat(255);
    ns.mknod('/' + ok, 0o644, 0, 0);
    expect(ns.getattr('/' + ok).size).toBe(0);
    expect(code(() => ns.mknod('/' + 'a'.repeat(256), 0o644, 0, 0))).toBe('ENAMETOOLONG');
    expect(code(() => ns.getattr('/' + 'a'.repeat(256)))).toBe('ENAMETOOLONG');
    // Names are byte strings (one char per byte): 85 x 3-byte UTF-8 chars = 255 bytes OK; 86 = 258 bytes too long; 128 x 2-byte = 256 too long.
    ns.mknod('/' + textToBytes('€'.repeat(85)), 0o644, 0, 0);
    expect(code(() => ns.mknod('/' + textToBytes('€'.repeat(86)), 0o644, 0, 0))).toBe('ENAMETOOLONG');
    expect(code(() => ns.mknod('/' + textToBytes('é'.repeat(128)), 0o644, 0, 0))).toBe('ENAMETOOLONG');
    ns.mknod('/' + textToBytes('é'.repeat(127) + 'a'), 0o644, 0, 0);
    // raw bytes that are not UTF-8: 255 of them OK, 256 too long
    ns.mknod('/' + '\xff'.repeat(255), 0o644, 0, 0);
    expect(code(() => ns.mknod('/' + '\xfe'.repeat(256), 0o644, 0, 0))).toBe('ENAMETOOLONG');
  });

  test('full paths past PATH_MAX work (a mount passes paths from its root; the kernel limits each argument)', () => {
    const { ns } = make();
    // Build nested dirs with 200-char names until the path approaches 4095 bytes.
    let p = '';
    const comp = 'd'.repeat(200);
    while (p.length + 1 + comp.length + 2 <= 4095) {
      p += '/' + comp;
      ns.mkdir(p, 0o755, 0, 0);
    }
    const room = 4095 - p.length - 1; // bytes left for a final "/name"
    expect(room).toBeGreaterThan(0);
    expect(room).toBeLessThanOrEqual(255);
    const exact = p + '/' + 'x'.repeat(room);
    expect(Buffer.byteLength(exact)).toBe(4095);
    ns.mknod(exact, 0o644, 0, 0);
    expect(ns.getattr(exact).nlink).toBe(1);
    const over = p + '/' + 'y'.repeat(room + 1);
    expect(Buffer.byteLength(over)).toBe(4096);
    ns.mknod(over, 0o644, 0, 0);
    let deep = p;
    while (deep.length < 20_000) {
      deep += '/' + comp;
      ns.mkdir(deep, 0o755, 0, 0);
    }
    ns.mknod(deep + '/f', 0o644, 0, 0);
    expect(ns.getattr(deep + '/f').size).toBe(0);
  });

  test('readdirPage pages a directory in creation order', () => {
    const { ns } = make();
    ns.mkdir('/d', 0o755, 0, 0);
    for (let i = 0; i < 25; i++) ns.mknod(`/d/f${i}`, 0o644, 0, 0);
    const names: string[] = [];
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined) {
      const page = ns.readdirPage('/d', offset, 10);
      names.push(...page.entries.map((e) => e.name));
      offset = page.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `f${i}`));
    expect(ns.readdirPage('/d', 30, 10)).toEqual({ entries: [] });
  });
});

describe('Namespace: directories', () => {
  test('mkdir nesting and nlink counts', () => {
    const { ns } = make();
    const a = ns.mkdir('/a', 0o750, 5, 6);
    expect(a.mode).toBe(S_IFDIR | 0o750);
    expect(a.nlink).toBe(2);
    expect(ns.getattr('/').nlink).toBe(3);
    ns.mkdir('/a/b', 0o755, 0, 0);
    ns.mkdir('/a/c', 0o755, 0, 0);
    ns.mknod('/a/f', 0o644, 0, 0);
    expect(ns.getattr('/a').nlink).toBe(4);
    ns.mkdir('/a/b/c', 0o755, 0, 0);
    expect(ns.getattr('/a/b').nlink).toBe(3);
    expect(ns.getattr('/a/b/c').nlink).toBe(2);
    expect(names(ns, '/a')).toEqual(['b', 'c', 'f']);
    expect(ns.getattr('/').nlink).toBe(3);
  });

  test('mkdir ignores type bits in mode', () => {
    const { ns } = make();
    expect(ns.mkdir('/x', S_IFREG | 0o700, 0, 0).mode).toBe(S_IFDIR | 0o700);
  });

  test('rmdir', () => {
    const { ns, clock } = make();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/a/b', 0o755, 0, 0);
    ns.mknod('/f', 0o644, 0, 0);
    expect(code(() => ns.rmdir('/a'))).toBe('ENOTEMPTY');
    expect(code(() => ns.rmdir('/f'))).toBe('ENOTDIR');
    expect(code(() => ns.rmdir('/'))).toBe('EBUSY');
    clock.t = 5000;
    const bIno = ns.lookupIno('/a/b');
    ns.rmdir('/a/b');
    expect(ns.getattr('/a').nlink).toBe(2);
    expect(ns.getattr('/a').mtimeMs).toBe(5000);
    expect(code(() => ns.getattrIno(bIno))).toBe('ENOENT');
    ns.rmdir('/a');
    expect(ns.getattr('/').nlink).toBe(2);
    expect(names(ns, '/')).toEqual(['f']);
  });

  test('unlink on a directory is EISDIR', () => {
    const { ns } = make();
    ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.unlink('/d'))).toBe('EISDIR');
    expect(code(() => ns.unlink('/'))).toBe('EISDIR');
  });
});

describe('Namespace: unlink and open counts', () => {
  test('unlink frees a closed file and updates parent times', () => {
    const { ns, clock } = make();
    const f = ns.mknod('/f', 0o644, 0, 0);
    clock.t = 3000;
    expect(ns.unlink('/f')).toEqual({ ino: f.ino, freed: true });
    expect(ns.getattr('/').mtimeMs).toBe(3000);
    expect(ns.getattr('/').ctimeMs).toBe(3000);
    expect(code(() => ns.getattrIno(f.ino))).toBe('ENOENT');
    expect(ns.counts()).toEqual({ files: 0, directories: 1, inodes: 1 });
  });

  test('unlink of an open file keeps getattrIno working until release', () => {
    const { ns, clock } = make();
    const f = ns.mknod('/f', 0o644, 0, 0);
    ns.open(f.ino);
    ns.open(f.ino);
    ns.extend(f.ino, 100);
    clock.t = 4000;
    expect(ns.unlink('/f')).toEqual({ ino: f.ino, freed: false });
    const a = ns.getattrIno(f.ino);
    expect(a.nlink).toBe(0);
    expect(a.size).toBe(100);
    expect(a.ctimeMs).toBe(4000);
    expect(code(() => ns.getattr('/f'))).toBe('ENOENT');
    // Still writable through the handle.
    expect(ns.extend(f.ino, 200).size).toBe(200);
    expect(ns.setSize(f.ino, 50).oldSize).toBe(200);
    const seen: number[] = [];
    ns.forEachFile((ino) => seen.push(ino));
    expect(seen).toContain(f.ino);
    expect(ns.counts().files).toBe(1);
    expect(ns.release(f.ino)).toEqual({ ino: f.ino, freed: false });
    expect(ns.getattrIno(f.ino).size).toBe(50);
    expect(ns.release(f.ino)).toEqual({ ino: f.ino, freed: true });
    expect(code(() => ns.getattrIno(f.ino))).toBe('ENOENT');
    expect(code(() => ns.release(f.ino))).toBe('ENOENT');
    expect(ns.counts()).toEqual({ files: 0, directories: 1, inodes: 1 });
  });

  test('release of a linked file does not free it', () => {
    const { ns } = make();
    const f = ns.mknod('/f', 0o644, 0, 0);
    ns.open(f.ino);
    expect(ns.release(f.ino)).toEqual({ ino: f.ino, freed: false });
    expect(ns.getattr('/f').ino).toBe(f.ino);
  });
});

describe('Namespace: rename', () => {
  test('simple move within and across directories', () => {
    const { ns, clock } = make();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/b', 0o755, 0, 0);
    const f = ns.mknod('/a/f', 0o644, 0, 0);
    clock.t = 7000;
    expect(ns.rename('/a/f', '/a/g')).toBeNull();
    expect(ns.lookupIno('/a/g')).toBe(f.ino);
    expect(code(() => ns.getattr('/a/f'))).toBe('ENOENT');
    expect(ns.getattr('/a/g').ctimeMs).toBe(7000);
    clock.t = 8000;
    ns.rename('/a/g', '/b/h');
    expect(ns.lookupIno('/b/h')).toBe(f.ino);
    expect(ns.getattr('/a').mtimeMs).toBe(8000);
    expect(ns.getattr('/b').mtimeMs).toBe(8000);
    expect(ns.getattr('/b').ctimeMs).toBe(8000);
    expect(names(ns, '/a')).toEqual([]);
  });

  test('file over file: replaced inode is freed', () => {
    const { ns } = make();
    const a = ns.mknod('/a', 0o644, 0, 0);
    const b = ns.mknod('/b', 0o644, 0, 0);
    expect(ns.rename('/a', '/b')).toEqual({ ino: b.ino, freed: true });
    expect(ns.lookupIno('/b')).toBe(a.ino);
    expect(code(() => ns.getattrIno(b.ino))).toBe('ENOENT');
    expect(names(ns, '/')).toEqual(['b']);
    expect(ns.counts().files).toBe(1);
  });

  test('file over an open file: replaced inode not freed until release', () => {
    const { ns } = make();
    ns.mknod('/a', 0o644, 0, 0);
    const b = ns.mknod('/b', 0o644, 0, 0);
    ns.open(b.ino);
    expect(ns.rename('/a', '/b')).toEqual({ ino: b.ino, freed: false });
    expect(ns.getattrIno(b.ino).nlink).toBe(0);
    expect(ns.release(b.ino)).toEqual({ ino: b.ino, freed: true });
  });

  test('file over a hard-linked file: replaced inode keeps its other link', () => {
    const { ns } = make();
    ns.mknod('/a', 0o644, 0, 0);
    const b = ns.mknod('/b', 0o644, 0, 0);
    ns.link('/b', '/b2');
    expect(ns.rename('/a', '/b')).toEqual({ ino: b.ino, freed: false });
    expect(ns.getattr('/b2').nlink).toBe(1);
  });

  test('same inode (hard links or same name) is a no-op', () => {
    const { ns } = make();
    const f = ns.mknod('/f', 0o644, 0, 0);
    ns.link('/f', '/g');
    expect(ns.rename('/f', '/g')).toBeNull();
    expect(names(ns, '/')).toEqual(['f', 'g']);
    expect(ns.getattr('/f').nlink).toBe(2);
    expect(ns.rename('/f', '/f')).toBeNull();
    expect(ns.lookupIno('/f')).toBe(f.ino);
    ns.mkdir('/d', 0o755, 0, 0);
    expect(ns.rename('/d', '/d')).toBeNull();
    expect(ns.getattr('/').nlink).toBe(3);
  });

  test('dir over empty dir OK, adjusts nlink', () => {
    const { ns } = make();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/a/x', 0o755, 0, 0);
    const e = ns.mkdir('/b', 0o755, 0, 0);
    const aIno = ns.lookupIno('/a');
    expect(ns.getattr('/').nlink).toBe(4);
    const r = ns.rename('/a', '/b');
    expect(r).toEqual({ ino: e.ino, freed: true });
    expect(ns.lookupIno('/b')).toBe(aIno);
    expect(ns.getattr('/').nlink).toBe(3);
    expect(names(ns, '/b')).toEqual(['x']);
    expect(ns.lookupIno('/b/x/..')).toBe(aIno);
    expect(ns.counts().directories).toBe(3);
  });

  test('moving a directory between parents adjusts parent nlink and ..', () => {
    const { ns } = make();
    ns.mkdir('/p', 0o755, 0, 0);
    ns.mkdir('/q', 0o755, 0, 0);
    ns.mkdir('/p/d', 0o755, 0, 0);
    expect(ns.getattr('/p').nlink).toBe(3);
    ns.rename('/p/d', '/q/d2');
    expect(ns.getattr('/p').nlink).toBe(2);
    expect(ns.getattr('/q').nlink).toBe(3);
    expect(ns.lookupIno('/q/d2/..')).toBe(ns.lookupIno('/q'));
    // Then moving /p into /q/d2 is fine, but /q into /q/d2 is not.
    ns.rename('/p', '/q/d2/p');
    expect(code(() => ns.rename('/q', '/q/d2/q'))).toBe('EINVAL');
  });

  test('dir over non-empty dir is ENOTEMPTY', () => {
    const { ns } = make();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/b', 0o755, 0, 0);
    ns.mknod('/b/f', 0o644, 0, 0);
    expect(code(() => ns.rename('/a', '/b'))).toBe('ENOTEMPTY');
    expect(names(ns, '/')).toEqual(['a', 'b']);
  });

  test('dir into its own subtree is EINVAL', () => {
    const { ns } = make();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/a/b', 0o755, 0, 0);
    expect(code(() => ns.rename('/a', '/a/b/c'))).toBe('EINVAL');
    expect(code(() => ns.rename('/a', '/a/c'))).toBe('EINVAL');
    expect(ns.getattr('/a/b').nlink).toBe(2);
  });

  test('onto an ancestor is ENOTEMPTY', () => {
    const { ns } = make();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/a/b', 0o755, 0, 0);
    expect(code(() => ns.rename('/a/b', '/a'))).toBe('ENOTEMPTY');
  });

  test('file over dir is EISDIR, dir over file is ENOTDIR', () => {
    const { ns } = make();
    ns.mknod('/f', 0o644, 0, 0);
    ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.rename('/f', '/d'))).toBe('EISDIR');
    expect(code(() => ns.rename('/d', '/f'))).toBe('ENOTDIR');
  });

  test("renaming '/' is EBUSY", () => {
    const { ns } = make();
    ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.rename('/', '/x'))).toBe('EBUSY');
    expect(code(() => ns.rename('/d', '/'))).toBe('EBUSY');
  });

  test('RENAME_NOREPLACE', () => {
    const { ns } = make();
    const a = ns.mknod('/a', 0o644, 0, 0);
    ns.mknod('/b', 0o644, 0, 0);
    expect(code(() => ns.rename('/a', '/b', RENAME_NOREPLACE))).toBe('EEXIST');
    expect(ns.rename('/a', '/c', RENAME_NOREPLACE)).toBeNull();
    expect(ns.lookupIno('/c')).toBe(a.ino);
  });

  test('RENAME_EXCHANGE swaps', () => {
    const { ns, clock } = make();
    ns.mkdir('/p', 0o755, 0, 0);
    const d = ns.mkdir('/p/d', 0o755, 0, 0);
    const f = ns.mknod('/f', 0o644, 0, 0);
    clock.t = 9000;
    expect(ns.rename('/p/d', '/f', RENAME_EXCHANGE)).toBeNull();
    expect(ns.lookupIno('/f')).toBe(d.ino);
    expect(ns.lookupIno('/p/d')).toBe(f.ino);
    // The directory moved from /p to /: link counts follow it.
    expect(ns.getattr('/p').nlink).toBe(2);
    expect(ns.getattr('/').nlink).toBe(4);
    expect(ns.lookupIno('/f/..')).toBe(1);
    expect(ns.getattr('/f').ctimeMs).toBe(9000);
    expect(ns.getattr('/p').mtimeMs).toBe(9000);
    expect(code(() => ns.rename('/f', '/nope', RENAME_EXCHANGE))).toBe('ENOENT');
    expect(code(() => ns.rename('/nope', '/f', RENAME_EXCHANGE))).toBe('ENOENT');
  });

  test('RENAME_EXCHANGE of a dir with its own descendant is EINVAL', () => {
    const { ns } = make();
    ns.mkdir('/a', 0o755, 0, 0);
    ns.mkdir('/a/b', 0o755, 0, 0);
    expect(code(() => ns.rename('/a', '/a/b', RENAME_EXCHANGE))).toBe('EINVAL');
    expect(code(() => ns.rename('/a/b', '/a', RENAME_EXCHANGE))).toBe('EINVAL');
  });

  test('invalid flags', () => {
    const { ns } = make();
    ns.mknod('/a', 0o644, 0, 0);
    expect(code(() => ns.rename('/a', '/b', 4))).toBe('EINVAL');
    expect(code(() => ns.rename('/a', '/b', RENAME_NOREPLACE | RENAME_EXCHANGE))).toBe('EINVAL');
  });
});

describe('Namespace: hard links', () => {
  test('link counts, same ino, shared attributes', () => {
    const { ns, clock } = make();
    ns.mkdir('/d', 0o755, 0, 0);
    const f = ns.mknod('/f', 0o644, 0, 0);
    clock.t = 1500;
    const l = ns.link('/f', '/d/g');
    expect(l.ino).toBe(f.ino);
    expect(l.nlink).toBe(2);
    expect(l.ctimeMs).toBe(1500);
    expect(ns.getattr('/d').mtimeMs).toBe(1500);
    expect(ns.lookupIno('/d/g')).toBe(f.ino);
    ns.chmod('/f', 0o600);
    expect(ns.getattr('/d/g').mode).toBe(S_IFREG | 0o600);
    expect(ns.unlink('/f')).toEqual({ ino: f.ino, freed: false });
    expect(ns.getattr('/d/g').nlink).toBe(1);
    expect(ns.unlink('/d/g')).toEqual({ ino: f.ino, freed: true });
    expect(ns.counts().files).toBe(0);
  });

  test('link to a directory is EPERM; EEXIST; ENOENT', () => {
    const { ns } = make();
    ns.mkdir('/d', 0o755, 0, 0);
    ns.mknod('/f', 0o644, 0, 0);
    expect(code(() => ns.link('/d', '/e'))).toBe('EPERM');
    expect(code(() => ns.link('/f', '/d'))).toBe('EEXIST');
    expect(code(() => ns.link('/nope', '/x'))).toBe('ENOENT');
    expect(code(() => ns.link('/f', '/nope/x'))).toBe('ENOENT');
    expect(ns.getattr('/f').nlink).toBe(1);
  });

  test('hard link to a symlink', () => {
    const { ns } = make();
    ns.symlink('/t', '/s', 0, 0);
    ns.link('/s', '/s2');
    expect(ns.readlink('/s2')).toBe('/t');
    expect(ns.getattr('/s').nlink).toBe(2);
  });
});

describe('Namespace: symlinks', () => {
  test('symlink/readlink', () => {
    const { ns } = make();
    const target = textToBytes('../some/target€');
    const a = ns.symlink(target, '/l', 7, 8);
    expect(a.mode).toBe(S_IFLNK | 0o777);
    expect(a.size).toBe(Buffer.byteLength('../some/target€'));
    expect(a.uid).toBe(7);
    expect(ns.readlink('/l')).toBe(target);
    ns.mknod('/f', 0o644, 0, 0);
    expect(code(() => ns.readlink('/f'))).toBe('EINVAL');
    expect(code(() => ns.readlink('/'))).toBe('EINVAL');
    expect(code(() => ns.readlink('/nope'))).toBe('ENOENT');
    // A symlink in the middle of a path is not followed (the kernel resolves symlinks).
    expect(code(() => ns.getattr('/l/x'))).toBe('ENOTDIR');
    expect(ns.unlink('/l').freed).toBe(true);
  });

  test('target length limits', () => {
    const { ns } = make();
    ns.symlink('x'.repeat(4095), '/ok', 0, 0);
    expect(ns.getattr('/ok').size).toBe(4095);
    expect(code(() => ns.symlink('x'.repeat(4096), '/bad', 0, 0))).toBe('ENAMETOOLONG');
    expect(code(() => ns.symlink('', '/empty', 0, 0))).toBe('ENOENT');
  });
});

describe('Namespace: attributes', () => {
  test('chmod keeps type bits and updates ctime', () => {
    const { ns, clock } = make();
    ns.mkdir('/d', 0o755, 0, 0);
    clock.t = 2500;
    const a = ns.chmod('/d', 0o101777);
    expect(a.mode).toBe(S_IFDIR | 0o1777);
    expect(a.ctimeMs).toBe(2500);
    expect(a.mtimeMs).toBe(1000);
  });

  test('chown with -1 / 0xffffffff leaves ids unchanged', () => {
    const { ns, clock } = make();
    ns.mknod('/f', 0o644, 10, 20);
    clock.t = 2600;
    expect(ns.chown('/f', -1, 30)).toMatchObject({ uid: 10, gid: 30, ctimeMs: 2600 });
    expect(ns.chown('/f', 40, -1)).toMatchObject({ uid: 40, gid: 30 });
    expect(ns.chown('/f', 0xffffffff, 0xffffffff)).toMatchObject({ uid: 40, gid: 30 });
    expect(ns.chown('/f', 0, 0)).toMatchObject({ uid: 0, gid: 0 });
  });

  test('utimens keeps negative and far-future values exactly', () => {
    const { ns, clock } = make();
    ns.mknod('/f', 0o644, 0, 0);
    clock.t = 2700;
    const far = 253402300799000 * 10; // well past year 9999
    const a = ns.utimens('/f', -123456789, far);
    expect(a.atimeMs).toBe(-123456789);
    expect(a.mtimeMs).toBe(far);
    expect(a.ctimeMs).toBe(2700);
    expect(ns.getattr('/f')).toMatchObject({ atimeMs: -123456789, mtimeMs: far });
    const b = ns.utimens('/f', -1.5, 0);
    expect(b.atimeMs).toBe(-1.5);
    expect(b.mtimeMs).toBe(0);
  });

  test('setSize', () => {
    const { ns, clock } = make();
    const f = ns.mknod('/f', 0o644, 0, 0);
    clock.t = 3100;
    const r = ns.setSize(f.ino, 12345);
    expect(r.oldSize).toBe(0);
    expect(r.attr.size).toBe(12345);
    expect(r.attr.mtimeMs).toBe(3100);
    expect(r.attr.ctimeMs).toBe(3100);
    expect(ns.setSize(f.ino, 10).oldSize).toBe(12345);
    expect(ns.getattr('/f').size).toBe(10);
    expect(ns.setSize(f.ino, Number.MAX_SAFE_INTEGER).attr.size).toBe(Number.MAX_SAFE_INTEGER);
    expect(code(() => ns.setSize(f.ino, -1))).toBe('EINVAL');
    expect(code(() => ns.setSize(f.ino, 1.5))).toBe('EINVAL');
    expect(code(() => ns.setSize(f.ino, Number.MAX_SAFE_INTEGER + 1))).toBe('EINVAL');
    expect(code(() => ns.setSize(f.ino, NaN))).toBe('EINVAL');
    const d = ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.setSize(d.ino, 0))).toBe('EISDIR');
    const l = ns.symlink('x', '/l', 0, 0);
    expect(code(() => ns.setSize(l.ino, 0))).toBe('EINVAL');
    const p = ns.mknod('/p', S_IFIFO | 0o644, 0, 0);
    expect(code(() => ns.setSize(p.ino, 0))).toBe('EINVAL');
    expect(code(() => ns.setSize(99999, 0))).toBe('ENOENT');
  });

  test('extend keeps the max size and sets mtime', () => {
    const { ns, clock } = make();
    const f = ns.mknod('/f', 0o644, 0, 0);
    clock.t = 3200;
    expect(ns.extend(f.ino, 100).size).toBe(100);
    expect(ns.getattrIno(f.ino).mtimeMs).toBe(3200);
    clock.t = 3300;
    const a = ns.extend(f.ino, 50);
    expect(a.size).toBe(100);
    expect(a.mtimeMs).toBe(3300);
    expect(a.ctimeMs).toBe(3300);
    const b = ns.extend(f.ino, 4096, 777);
    expect(b.size).toBe(4096);
    expect(b.mtimeMs).toBe(777);
    expect(code(() => ns.extend(f.ino, -1))).toBe('EINVAL');
    const d = ns.mkdir('/d', 0o755, 0, 0);
    expect(code(() => ns.extend(d.ino, 10))).toBe('EISDIR');
  });
});

describe('Namespace: xattrs', () => {
  test('create, replace, list, get, remove', () => {
    const { ns, clock } = make();
    ns.mknod('/f', 0o644, 0, 0);
    clock.t = 4100;
    const v = Buffer.from('hello');
    ns.setxattr('/f', 'user.a', v, 0);
    v.write('HELLO'); // the stored value is a copy
    expect(ns.getattr('/f').ctimeMs).toBe(4100);
    expect(ns.getxattr('/f', 'user.a').toString()).toBe('hello');
    const got = ns.getxattr('/f', 'user.a');
    got.write('xxxxx'); // the returned value is a copy
    expect(ns.getxattr('/f', 'user.a').toString()).toBe('hello');

    expect(code(() => ns.setxattr('/f', 'user.a', Buffer.from('x'), XATTR_CREATE))).toBe('EEXIST');
    expect(code(() => ns.setxattr('/f', 'user.b', Buffer.from('x'), XATTR_REPLACE))).toBe('ENODATA');
    ns.setxattr('/f', 'user.a', Buffer.from('second'), XATTR_REPLACE);
    expect(ns.getxattr('/f', 'user.a').toString()).toBe('second');
    ns.setxattr('/f', 'user.b', Buffer.alloc(0), XATTR_CREATE);
    expect(ns.getxattr('/f', 'user.b').length).toBe(0);
    expect(ns.listxattr('/f')).toEqual(['user.a', 'user.b']);

    clock.t = 4200;
    ns.removexattr('/f', 'user.a');
    expect(ns.getattr('/f').ctimeMs).toBe(4200);
    expect(ns.listxattr('/f')).toEqual(['user.b']);
    expect(code(() => ns.getxattr('/f', 'user.a'))).toBe('ENODATA');
    expect(code(() => ns.removexattr('/f', 'user.a'))).toBe('ENODATA');
    expect(ns.listxattr('/')).toEqual([]);
  });

  test('xattrs are per inode (shared by hard links)', () => {
    const { ns } = make();
    ns.mknod('/f', 0o644, 0, 0);
    ns.link('/f', '/g');
    ns.setxattr('/f', 'user.k', Buffer.from('v'), 0);
    expect(ns.getxattr('/g', 'user.k').toString()).toBe('v');
  });

  test('limits', () => {
    const { ns } = make();
    ns.mknod('/f', 0o644, 0, 0);
    expect(code(() => ns.setxattr('/f', '', Buffer.from('x'), 0))).toBe('EINVAL');
    ns.setxattr('/f', 'user.' + 'n'.repeat(250), Buffer.from('x'), 0);
    expect(code(() => ns.setxattr('/f', 'user.' + 'n'.repeat(251), Buffer.from('x'), 0))).toBe('ERANGE');
    ns.setxattr('/f', 'user.big', Buffer.alloc(65536), 0);
    let err: unknown;
    try {
      ns.setxattr('/f', 'user.big2', Buffer.alloc(65537), 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FsError);
    expect((err as FsError).errno).toBe(7);
    expect(code(() => ns.setxattr('/f', 'user.x', Buffer.from('x'), 3))).toBe('EINVAL');
    expect(code(() => ns.setxattr('/nope', 'user.x', Buffer.from('x'), 0))).toBe('ENOENT');
  });
});

describe('Namespace: accounting', () => {
  test('counts and forEachFile', () => {
    const { ns } = make();
    expect(ns.counts()).toEqual({ files: 0, directories: 1, inodes: 1 });
    ns.mkdir('/d', 0o755, 0, 0);
    const f = ns.mknod('/d/f', 0o644, 0, 0);
    ns.extend(f.ino, 10);
    const g = ns.mknod('/g', 0o644, 0, 0);
    ns.symlink('x', '/l', 0, 0);
    ns.mknod('/p', S_IFIFO | 0o644, 0, 0);
    ns.link('/g', '/g2');
    expect(ns.counts()).toEqual({ files: 4, directories: 2, inodes: 6 });
    const seen = new Map<number, number>();
    ns.forEachFile((ino, size) => seen.set(ino, size));
    expect(seen).toEqual(
      new Map([
        [f.ino, 10],
        [g.ino, 0],
      ]),
    );
    ns.unlink('/d/f');
    ns.rmdir('/d');
    expect(ns.counts()).toEqual({ files: 3, directories: 1, inodes: 4 });
  });

  test('perf smoke: 10,000 creates, stats, unlinks', () => {
    const ns = new Namespace();
    ns.mkdir('/bulk', 0o755, 0, 0);
    const n = 10_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) ns.mknod(`/bulk/file-${i}`, 0o644, 0, 0);
    for (let i = 0; i < n; i++) ns.getattr(`/bulk/file-${i}`);
    expect(ns.readdir('/bulk')).toHaveLength(n);
    let freed = 0;
    for (let i = 0; i < n; i++) if (ns.unlink(`/bulk/file-${i}`).freed) freed++;
    expect(freed).toBe(n);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(ns.counts()).toEqual({ files: 0, directories: 2, inodes: 2 });
    expect(ns.readdir('/bulk')).toEqual([]);
    // Informational only; the requirement is "well under 100 ms" on a normal machine.
    if (ms > 100) console.warn(`namespace perf smoke took ${ms.toFixed(1)} ms`);
  });
});
