/** The wire's validators: wrong JSON types are protocol errors (the link closes), out-of-range values errnos (the link stays). */
import { FsError } from '../../src/errors';
import { MAX_FILE_SIZE, WIRE_PATH_MAX, XATTR_NAME_MAX } from '../../src/limits';
import { bool, bytes, def, int, list, obj, oneOf, opt, str, tuple, uint } from '../../transport/check';
import { ProtocolError } from '../../transport/frame';
import { Api, Msg, specOf } from '../../transport/messages';

/** 'proto' for a ProtocolError, the errno code for an FsError, 'ok' otherwise. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    if (err instanceof ProtocolError) return 'proto';
    if (err instanceof FsError) return err.code;
    throw err;
  }
}

describe('scalar checks', () => {
  it('int: wrong JSON type is a protocol error, fractional or out of range an errno', () => {
    const c = int(-5, 10);
    expect(c(-5, 'n')).toBe(-5);
    expect(c(10, 'n')).toBe(10);
    for (const v of ['5', null, true, [], {}]) expect(outcome(() => c(v, 'n'))).toBe('proto');
    for (const v of [-6, 11, 1.5, 2 ** 60, -(2 ** 60)]) expect(outcome(() => c(v, 'n'))).toBe('EINVAL');
  });

  it('uint with a separate errno above max (file sizes: EINVAL below 0, EFBIG above the largest size)', () => {
    const size = uint(MAX_FILE_SIZE, 'EINVAL', 'EFBIG');
    expect(size(MAX_FILE_SIZE, 's')).toBe(MAX_FILE_SIZE);
    expect(outcome(() => size(2 ** 60, 's'))).toBe('EFBIG');
    expect(outcome(() => size(1e300, 's'))).toBe('EFBIG');
    expect(outcome(() => size(-1, 's'))).toBe('EINVAL');
    expect(outcome(() => size(0.5, 's'))).toBe('EINVAL');
    expect(outcome(() => size('1', 's'))).toBe('proto');
  });

  it('str counts UTF-8 bytes, not UTF-16 units', () => {
    const name = str(255);
    expect(name('a'.repeat(255), 'n')).toHaveLength(255);
    expect(outcome(() => name('a'.repeat(256), 'n'))).toBe('ENAMETOOLONG');
    expect(name('é'.repeat(127), 'n')).toHaveLength(127); // 254 bytes
    expect(outcome(() => name('é'.repeat(128), 'n'))).toBe('ENAMETOOLONG'); // 256 bytes in 128 units
    expect(outcome(() => name('😀'.repeat(64), 'n'))).toBe('ENAMETOOLONG'); // 256 bytes in 128 units
    expect(outcome(() => str(10, 'ERANGE')('x'.repeat(11), 'n'))).toBe('ERANGE');
    for (const v of [1, null, ['a'], {}]) expect(outcome(() => name(v, 'n'))).toBe('proto');
  });

  it('bytes takes byte strings (one char per byte): length is bytes, a char above 0xff is EINVAL', () => {
    const name = bytes(255);
    expect(name('\xff'.repeat(255), 'n')).toHaveLength(255);
    expect(outcome(() => name('\xff'.repeat(256), 'n'))).toBe('ENAMETOOLONG');
    expect(outcome(() => name('caf\u00e9\u0100', 'n'))).toBe('EINVAL');
    expect(outcome(() => name('😀', 'n'))).toBe('EINVAL');
    expect(outcome(() => bytes(10, 'ERANGE')('x'.repeat(11), 'n'))).toBe('ERANGE');
    for (const v of [1, null, ['a'], {}]) expect(outcome(() => name(v, 'n'))).toBe('proto');
    // paths and xattr names on the wire are byte strings
    const getattr = Api.Getattr.req;
    expect(outcome(() => getattr({ path: '/\xff\xfe' }, ''))).toBe('ok');
    expect(outcome(() => getattr({ path: '/\u20ac' }, ''))).toBe('EINVAL');
  });

  it('bool, oneOf, opt and def', () => {
    expect(bool(true, 'b')).toBe(true);
    expect(outcome(() => bool(1, 'b'))).toBe('proto');
    expect(oneOf('a', 'b')('b', 'x')).toBe('b');
    expect(outcome(() => oneOf('a', 'b')('c', 'x'))).toBe('EINVAL');
    expect(opt(uint())(undefined, 'o')).toBeUndefined();
    expect(opt(uint())(null, 'o')).toBeUndefined();
    expect(outcome(() => opt(uint())('x', 'o'))).toBe('proto');
    expect(def(uint(), 7)(undefined, 'd')).toBe(7);
    expect(def(uint(), 7)(3, 'd')).toBe(3);
  });
});

describe('composite checks', () => {
  it('list: a non-list is a protocol error, too many items E2BIG, each item checked with its index in the message', () => {
    const c = list(uint(9), 3);
    expect(c([1, 2, 3], 'l')).toEqual([1, 2, 3]);
    expect(outcome(() => c([1, 2, 3, 4], 'l'))).toBe('E2BIG');
    expect(outcome(() => c('abc', 'l'))).toBe('proto');
    expect(() => c([1, 'x'], 'l')).toThrow(/field "l\[1\]" must be a number/);
    expect(outcome(() => c([1, 10], 'l'))).toBe('EINVAL');
  });

  it('tuple: exactly two items', () => {
    const c = tuple(uint(), str(3));
    expect(c([1, 'ab'], 't')).toEqual([1, 'ab']);
    for (const v of [[1], [1, 'a', 2], 'x']) expect(outcome(() => c(v, 't'))).toBe('proto');
  });

  it('obj: drops unknown fields, leaves out absent optional ones, names nested fields', () => {
    const c = obj({ a: uint(), b: opt(str(5)), c: def(bool, false), d: obj({ e: uint(3) }) });
    expect(c({ a: 1, x: 'dropped', d: { e: 2, y: 1 } }, '')).toEqual({ a: 1, c: false, d: { e: 2 } });
    expect(() => c({ a: 1, d: { e: 'x' } }, '')).toThrow(/field "d\.e" must be a number/);
    expect(outcome(() => c({ a: 1, d: { e: 4 } }, ''))).toBe('EINVAL');
    expect(outcome(() => c({ d: { e: 1 } }, ''))).toBe('proto'); // a required field missing is a malformed frame
    expect(outcome(() => c([], ''))).toBe('proto');
  });
});

describe('the message table', () => {
  it('has one spec per message after the handshake, each with a distinct type and at least one sender role', () => {
    const types = Object.values(Api).map((s) => s.type);
    expect(new Set(types).size).toBe(types.length);
    const handshake = [Msg.AuthChallenge, Msg.AuthResponse, Msg.AuthResult] as number[];
    for (const t of Object.values(Msg)) {
      if (handshake.includes(t)) expect(specOf(t)).toBeUndefined();
      else expect(specOf(t)?.from.length).toBeGreaterThan(0);
    }
  });

  it('maps bad arguments of namespace calls to the errnos Linux gives', () => {
    const req = (name: keyof typeof Api, meta: unknown) => outcome(() => Api[name].req(meta, ''));
    expect(req('Truncate', { ino: 5, size: 2 ** 60 })).toBe('EFBIG');
    expect(req('Truncate', { ino: 5, size: -1 })).toBe('EINVAL');
    expect(req('Utimens', { path: '/f', atimeMs: 1e20, mtimeMs: 0 })).toBe('EOVERFLOW');
    expect(req('Utimens', { path: '/f', atimeMs: -1e20, mtimeMs: 0 })).toBe('EOVERFLOW');
    expect(req('Utimens', { path: '/f', atimeMs: -1, mtimeMs: 0 })).toBe('ok');
    expect(req('Chown', { path: '/f', uid: -1, gid: 0xffffffff })).toBe('ok');
    expect(req('Chown', { path: '/f', uid: -2, gid: 0 })).toBe('EINVAL');
    expect(req('Chown', { path: '/f', uid: 2 ** 32, gid: 0 })).toBe('EINVAL');
    expect(req('Mkdir', { path: '/d', mode: 0o777, uid: 0xffffffff, gid: 0 })).toBe('EINVAL'); // 2^32-1 is not an owner
    expect(req('Mkdir', { path: '/d', mode: 0o777, uid: 0xfffffffe, gid: 0 })).toBe('ok');
    expect(req('Chmod', { path: '/f', mode: 0o1000000 })).toBe('EINVAL');
    expect(req('Getattr', { path: '/' + 'a'.repeat(WIRE_PATH_MAX) })).toBe('ENAMETOOLONG');
    expect(req('Getattr', { path: '/' + 'a/'.repeat(5000) })).toBe('ok'); // 10 kB: a mount's full path has no 4 KiB limit
    expect(req('Getxattr', { path: '/f', name: 'u'.repeat(XATTR_NAME_MAX + 1) })).toBe('ERANGE');
    expect(req('Locate', { ino: 1, first: 0, count: 4097 })).toBe('EINVAL');
    expect(req('LeaseRenew', { inos: [1, 2], stats: { hits: 1, junk: 'x'.repeat(100) } })).toBe('ok');
    expect(Api.LeaseRenew.req({ inos: [1], stats: { hits: 1, junk: { deep: [1] } } }, '')).toEqual({ inos: [1], stats: { hits: 1 } });
    expect(req('LeaseRenew', { inos: [1], stats: { hits: -1 } })).toBe('EINVAL');
    expect(req('Getattr', { path: 5 })).toBe('proto');
    expect(req('Getattr', {})).toBe('proto');
  });
});
