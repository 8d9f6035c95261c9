/** The FUSE struct codecs (mount/fuse/abi.ts): every struct we write reads back the same, at the offsets and sizes linux/fuse.h gives. */
import * as abi from '../../mount/fuse/abi';

const attr: abi.FuseAttr = {
  ino: 2 ** 40 + 7,
  size: 2 ** 52 + 3,
  blocks: 123456789,
  atimeMs: -86_400_000 * 365 + 250, // before 1970
  mtimeMs: 1_700_000_000_123,
  ctimeMs: 253_402_300_799_999, // year 9999
  mode: 0o100644 | 0o4000,
  nlink: 0,
  uid: 0xfffffffe,
  gid: 65534,
  rdev: 0x0801,
  blksize: 4096,
};

describe('FUSE ABI codecs', () => {
  it('64-bit fields: unsigned up to 2^53, signed below zero', () => {
    const b = Buffer.alloc(16);
    for (const n of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      abi.put64(b, 0, n);
      expect(abi.u64(b, 0)).toBe(n);
      expect(b.readBigUInt64LE(0)).toBe(BigInt(n));
    }
    for (const n of [-1, -(2 ** 32), -123456789012]) {
      abi.put64(b, 8, n);
      expect(abi.i64(b, 8)).toBe(n);
      expect(b.readBigInt64LE(8)).toBe(BigInt(n));
    }
  });

  it('request header round trip (40 bytes)', () => {
    const h: abi.InHeader = { len: 1234, opcode: abi.Op.WRITE, unique: 2 ** 33 + 2, nodeid: 99, uid: 1000, gid: 100, pid: 4242, extlen: 16 };
    const b = abi.encodeInHeader(h);
    expect(b.length).toBe(abi.IN_HEADER_SIZE);
    expect(abi.decodeInHeader(b)).toEqual(h);
  });

  it('attr, entry_out and attr_out round trip with times before 1970 and past 2038', () => {
    expect(abi.ENTRY_OUT_SIZE).toBe(128);
    expect(abi.ATTR_OUT_SIZE).toBe(104);
    const b = Buffer.alloc(abi.ENTRY_OUT_SIZE);
    abi.putAttr(b, 0, attr);
    expect(abi.getAttr(b, 0)).toEqual(attr);
    // st_atime's seconds as the kernel reads them (signed), nanoseconds in range
    expect(b.readBigInt64LE(24)).toBe(BigInt(Math.floor(attr.atimeMs / 1000)));
    expect(b.readUInt32LE(48)).toBe(250_000_000);
    const e: abi.EntryOut = { nodeid: 77, generation: 3, entryTtlMs: 1500, attrTtlMs: 0, attr };
    abi.putEntryOut(b, 0, e);
    expect(abi.getEntryOut(b, 0)).toEqual(e);
    expect(b.readBigUInt64LE(16)).toBe(1n); // entry_valid seconds
    expect(b.readUInt32LE(32)).toBe(500_000_000); // entry_valid_nsec
    const a = Buffer.alloc(abi.ATTR_OUT_SIZE);
    abi.putAttrOut(a, 0, { attrTtlMs: 2000, attr });
    expect(a.readBigUInt64LE(0)).toBe(2n);
    expect(abi.getAttr(a, 16)).toEqual(attr);
  });

  it('init_out round trip keeps flags above bit 31 in flags2', () => {
    const o: abi.InitOut = {
      major: 7,
      minor: 39,
      maxReadahead: 131072,
      flags: (1n << BigInt(abi.InitBit.DIRECT_IO_ALLOW_MMAP)) | (1n << BigInt(abi.InitBit.INIT_EXT)) | (1n << BigInt(abi.InitBit.MAX_PAGES)),
      maxBackground: 64,
      congestionThreshold: 48,
      maxWrite: 1 << 20,
      timeGran: 1,
      maxPages: 256,
    };
    const b = Buffer.alloc(abi.INIT_OUT_SIZE);
    abi.putInitOut(b, 0, o);
    expect(abi.getInitOut(b, 0)).toEqual(o);
    expect(b.readUInt32LE(32)).toBe(1 << (abi.InitBit.DIRECT_IO_ALLOW_MMAP - 32));
    const init = Buffer.alloc(64);
    init.writeUInt32LE(7, 0);
    init.writeUInt32LE(45, 4);
    init.writeUInt32LE(0xffffffff, 12);
    init.writeUInt32LE(0x10, 16);
    expect(abi.decodeInitIn(init, 0)).toEqual({ major: 7, minor: 45, maxReadahead: 0, flags: 0xffffffffn | (0x10n << 32n) });
  });

  it('setattr_in round trip (88 bytes)', () => {
    const s: abi.SetattrIn = {
      valid: abi.FATTR_MODE | abi.FATTR_SIZE | abi.FATTR_ATIME | abi.FATTR_MTIME | abi.FATTR_FH,
      fh: 5,
      size: 2 ** 45,
      lockOwner: 2 ** 50,
      atimeMs: -1000,
      mtimeMs: 1_700_000_000_999,
      ctimeMs: 0,
      mode: 0o2755,
      uid: 1,
      gid: 2,
    };
    const b = abi.encodeSetattrIn(s);
    expect(b.length).toBe(88);
    expect(abi.decodeSetattrIn(b, 0)).toEqual(s);
  });

  it('statfs, open_out and file locks land at their offsets', () => {
    const b = Buffer.alloc(abi.STATFS_OUT_SIZE);
    abi.putStatfs(b, 0, { blocks: 2 ** 40, bfree: 5, bavail: 4, files: 100, ffree: 90, bsize: 4096, namelen: 255, frsize: 4096 });
    expect(b.readBigUInt64LE(0)).toBe(2n ** 40n);
    expect([b.readUInt32LE(40), b.readUInt32LE(44), b.readUInt32LE(48)]).toEqual([4096, 255, 4096]);
    const o = Buffer.alloc(abi.OPEN_OUT_SIZE);
    abi.putOpenOut(o, 0, { fh: 2 ** 35, flags: abi.FOPEN_DIRECT_IO | abi.FOPEN_KEEP_CACHE });
    expect(abi.u64(o, 0)).toBe(2 ** 35);
    expect(o.readUInt32LE(8)).toBe(3);
    const l = Buffer.alloc(abi.LK_OUT_SIZE);
    const lock: abi.FileLock = { start: 10, end: 4095, type: 1, pid: 77 };
    abi.putFileLock(l, 0, lock);
    expect(abi.getFileLock(l, 0)).toEqual(lock);
    // "to the end of the file" goes back to the kernel as its OFFSET_MAX
    abi.putFileLock(l, 0, { ...lock, end: Number.MAX_SAFE_INTEGER });
    expect(l.readBigUInt64LE(8)).toBe(0x7fff_ffff_ffff_ffffn);
  });

  it('dirents are 8-byte aligned and carry any bytes as a name', () => {
    const names = [Buffer.from('a'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.alloc(255, 0x61), Buffer.from('exactly8')];
    const b = Buffer.alloc(4096);
    let off = 0;
    names.forEach((n, i) => (off += abi.putDirent(b, off, 100 + i, i + 1, 8, n)));
    expect(off % 8).toBe(0);
    let at = 0;
    names.forEach((n, i) => {
      const d = abi.getDirent(b, at);
      expect(d).toMatchObject({ ino: 100 + i, next: i + 1, type: 8 });
      expect(d.name.equals(n)).toBe(true);
      expect(d.size).toBe(abi.direntSize(n.length));
      at += d.size;
    });
    expect(abi.direntSize(8)).toBe(32);
    expect(abi.direntplusSize(1)).toBe(abi.ENTRY_OUT_SIZE + 32);
  });

  it('cstring splits NUL-terminated names (rename: old\\0new\\0)', () => {
    const b = Buffer.from('old\0new\0');
    const [a, next] = abi.cstring(b, 0);
    expect(a.toString()).toBe('old');
    expect(abi.cstring(b, next)[0].toString()).toBe('new');
  });
});
