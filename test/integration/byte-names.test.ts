/**
 * File names are bytes: any byte but NUL and '/' (non-UTF-8 sequences included) round-trips through the mount
 * exactly as on tmpfs, in names, symlink targets and xattr names; NAME_MAX is 255 bytes, not 255 chars. A
 * PoolClient (ordinary JS strings) sees the same UTF-8 bytes as the mount.
 */
import { spawn } from 'child_process';
import { promises as fsp } from 'fs';
import { PoolClient } from '../../src/client/pool-client';
import { FsError } from '../../src/errors';
import { canMount } from '../helpers/mounts';
import { finishMountedPool, MountedPool, startMountedPool } from '../helpers/pool-fixture';

const describeMount = canMount() ? describe : describe.skip;

let pool: MountedPool | null = null;
let api: PoolClient | null = null;
let raw: PoolClient | null = null;

const b = (...parts: Array<string | number[] | Buffer>): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
const join = (dir: string, ...names: Buffer[]): Buffer => Buffer.concat([Buffer.from(dir), ...names.flatMap((n) => [Buffer.from('/'), n])]);

/** Every byte 0x80..0xff, in two names of 64 (a name may hold any of them, in any order). */
const HIGH = Array.from({ length: 128 }, (_, i) => 0x80 + i);
const NAMES: Buffer[] = [
  b([0xff, 0xfe]),
  b('caf', [0xe9]), // latin1 'café': not UTF-8
  b([0xc3]), // a truncated UTF-8 sequence
  b('x', [0xed, 0xa0, 0x80], 'y'), // an encoded surrogate: not valid UTF-8
  b('emoji-😀-日本-ü'),
  b(HIGH.slice(0, 64)),
  b(HIGH.slice(64)),
  b('é'.repeat(127), 'a'), // 255 bytes of 2-byte chars and one ASCII
  b([0xfe].concat(Array.from({ length: 254 }, () => 0xab))), // 255 raw bytes
];
const TOO_LONG: Buffer[] = [b('é'.repeat(128)), b(Array.from({ length: 256 }, () => 0xff))];

/** The file systems every check runs on: the local tmpfs (yardstick) and the mount. */
const targets = (): Array<[string, string]> => [
  ['tmpfs', pool!.tmpfs!],
  ['mempool', pool!.mnt],
];

/** A directory's names as raw bytes, sorted. */
async function listBytes(dir: string | Buffer): Promise<string[]> {
  const names = (await fsp.readdir(dir, { encoding: 'buffer' })) as Buffer[];
  return names.map((n) => n.toString('hex')).sort();
}

/** The errno code of a promise's rejection, or 'ok'. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (err: NodeJS.ErrnoException) => err.code ?? String(err),
  );
}

/** Runs a command and resolves with its stdout bytes (as hex) and exit code; never blocks this process. */
function run(argv: string[], cwd: string): Promise<{ out: string; rc: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (rc) => resolve({ out: Buffer.concat(out).toString('latin1'), rc }));
  });
}

describeMount('file names are bytes, on the mount as on tmpfs', () => {
  beforeAll(async () => {
    pool = await startMountedPool('mempool-names-', { nodes: 1, memory: '64MiB', tmpfsSize: '64m' });
    api = await PoolClient.connect(pool.cluster.url, { secret: pool.env.MEMPOOL_SECRET, name: 'names-api' });
    raw = await PoolClient.connect(pool.cluster.url, { secret: pool.env.MEMPOOL_SECRET, name: 'names-raw', names: 'bytes' });
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await raw?.close();
    const left = await finishMountedPool(pool);
    expect(left).toEqual({ mounts: [], pids: [] });
  }, 60_000);

  it('create, list, stat, rename, unlink and rmdir names of any bytes; readdir gives back the same bytes', async () => {
    const seen: Record<string, unknown> = {};
    for (const [fsName, root] of targets()) {
      const dir = `${root}/files`;
      await fsp.mkdir(dir);
      for (const [i, n] of NAMES.entries()) await fsp.writeFile(join(dir, n), `file ${i}`);
      await fsp.mkdir(join(dir, b('dir-', [0xe9])));
      const listed = await listBytes(dir);
      const sizes = await Promise.all(NAMES.map(async (n) => (await fsp.stat(join(dir, n))).size));
      // rename every name to itself with a high byte in front (names of 255 bytes become 256: ENAMETOOLONG)
      const renamed = await Promise.all(NAMES.map((n) => codeOf(fsp.rename(join(dir, n), join(dir, b([0x99], n.subarray(0, Math.min(n.length, 254))))))));
      const afterRename = await listBytes(dir);
      const tooLong = await Promise.all(NAMES.map((n) => codeOf(fsp.rename(join(dir, b([0x99], n.subarray(0, Math.min(n.length, 254)))), join(dir, b([0x98], n))))));
      for (const n of await fsp.readdir(dir, { encoding: 'buffer' })) {
        const p = join(dir, n as Buffer);
        if ((await fsp.stat(p)).isDirectory()) await fsp.rmdir(p);
        else await fsp.unlink(p);
      }
      seen[fsName] = { listed, sizes, renamed, afterRename, tooLong, empty: await listBytes(dir) };
      expect(listed).toEqual([...NAMES, b('dir-', [0xe9])].map((n) => n.toString('hex')).sort());
    }
    expect(seen.mempool).toEqual(seen.tmpfs);
    expect((seen.mempool as { tooLong: string[] }).tooLong).toContain('ENAMETOOLONG');
  });

  it('NAME_MAX is 255 bytes: 255 bytes of 2-byte chars or raw bytes work, 256 bytes are ENAMETOOLONG for every call', async () => {
    const seen: Record<string, string[]> = {};
    for (const [fsName, root] of targets()) {
      const dir = `${root}/limits`;
      await fsp.mkdir(dir);
      const codes: string[] = [];
      for (const n of TOO_LONG) {
        codes.push(await codeOf(fsp.writeFile(join(dir, n), 'x')));
        codes.push(await codeOf(fsp.mkdir(join(dir, n))));
        codes.push(await codeOf(fsp.symlink('t', join(dir, n))));
        codes.push(await codeOf(fsp.stat(join(dir, n))));
      }
      const ok = b('é'.repeat(127), 'a');
      codes.push(await codeOf(fsp.mkdir(join(dir, ok))));
      codes.push(await codeOf(fsp.writeFile(join(dir, ok, ok), 'inside')));
      codes.push(await codeOf(fsp.link(join(dir, ok, ok), join(dir, TOO_LONG[0]!))));
      seen[fsName] = codes;
    }
    expect(seen.mempool).toEqual(seen.tmpfs);
    expect(seen.mempool!.filter((c) => c === 'ENAMETOOLONG')).toHaveLength(9);
  });

  it('`ls -1 | od -c` prints the same bytes on both', async () => {
    const out: Record<string, string> = {};
    for (const [fsName, root] of targets()) {
      const dir = `${root}/ls`;
      await fsp.mkdir(dir);
      for (const n of NAMES) await fsp.writeFile(join(dir, n), '');
      out[fsName] = (await run(['bash', '-c', 'LC_ALL=C ls -1 | od -c'], dir)).out;
    }
    expect(out.mempool).toEqual(out.tmpfs);
    expect(out.mempool).toContain('377 376'); // the 0xff 0xfe name, raw
  });

  it('shell tools handle names of raw bytes: touch, mkdir, mv, stat, rm', async () => {
    const script = [
      "touch $'\\xff\\xfe'",
      "mkdir $'caf\\xe9'",
      "mv $'\\xff\\xfe' $'caf\\xe9/\\x80\\x81'",
      "stat -c '%s %F' $'caf\\xe9/\\x80\\x81'",
      "LC_ALL=C ls -1 $'caf\\xe9' | od -An -tx1",
      "rm $'caf\\xe9/\\x80\\x81'",
      "rmdir $'caf\\xe9'",
      'LC_ALL=C ls -A | wc -l',
    ].join(' && ');
    const out: Record<string, string> = {};
    for (const [fsName, root] of targets()) {
      await fsp.mkdir(`${root}/shell`);
      const r = await run(['bash', '-c', script], `${root}/shell`);
      expect(r.rc).toBe(0);
      out[fsName] = r.out;
    }
    expect(out.mempool).toEqual(out.tmpfs);
    expect(out.mempool).toContain('80 81');
  });

  it('symlink targets of any bytes: readlink gives back the same bytes', async () => {
    const seen: Record<string, string[]> = {};
    for (const [fsName, root] of targets()) {
      const dir = `${root}/links`;
      await fsp.mkdir(dir);
      const got: string[] = [];
      for (const [i, n] of NAMES.entries()) {
        const target = b('../', n, '/', [0xff], 'end');
        await fsp.symlink(target, join(dir, b(`l${i}-`, n.subarray(0, 200))));
        got.push(((await fsp.readlink(join(dir, b(`l${i}-`, n.subarray(0, 200))), { encoding: 'buffer' })) as Buffer).toString('hex'));
        expect(got[i]).toEqual(target.toString('hex'));
      }
      got.push(String((await fsp.lstat(join(dir, b('l0-', NAMES[0]!)))).size));
      seen[fsName] = got;
    }
    expect(seen.mempool).toEqual(seen.tmpfs);
  });

  it('xattr names with UTF-8 and other high bytes round-trip (set, list, get, remove)', async () => {
    // python's os.*xattr take and give bytes; print what listxattr and getxattr answer, as hex
    const py = [
      'import os, sys',
      "p = b'f'",
      "open(p, 'w').close()",
      "names = [b'user.caf\\xc3\\xa9', 'user.emoji-😀'.encode(), b'user.raw\\xff\\xfe', b'user.' + bytes(range(0x80, 0x100))[:120]]",
      "for i, n in enumerate(names): os.setxattr(p, n, b'v%d' % i)",
      'print(sorted(os.fsencode(n).hex() for n in os.listxattr(p)))',
      'print([os.getxattr(p, n).hex() for n in names])',
      'os.removexattr(p, names[0])',
      'print(sorted(os.fsencode(n).hex() for n in os.listxattr(p)))',
      "try: os.setxattr(p, b'user.' + b'\\xe9' * 251, b'x')",
      'except OSError as e: print(e.errno)',
    ].join('\n');
    const out: Record<string, string> = {};
    for (const [fsName, root] of targets()) {
      await fsp.mkdir(`${root}/xattr`);
      const r = await run(['python3', '-c', py], `${root}/xattr`);
      expect(r.rc).toBe(0);
      out[fsName] = r.out;
    }
    expect(out.mempool).toEqual(out.tmpfs);
    expect(out.mempool).toContain(Buffer.from('user.emoji-😀').toString('hex'));
  });

  it('a PoolClient takes and gives ordinary strings: its UTF-8 names are the same bytes on the mount, and back', async () => {
    const fromApi = 'über-😀-日本.txt';
    await api!.mkdir('/api');
    await api!.writeFile(`/api/${fromApi}`, Buffer.from('from the api'));
    await api!.symlink('zïel-😀', `/api/link-ü`);
    await api!.setxattr(`/api/${fromApi}`, 'user.naïve-😀', Buffer.from('v'));
    expect(await listBytes(`${pool!.mnt}/api`)).toEqual([Buffer.from(fromApi), Buffer.from('link-ü')].map((n) => n.toString('hex')).sort());
    expect(await fsp.readFile(`${pool!.mnt}/api/${fromApi}`, 'utf8')).toBe('from the api');
    expect(((await fsp.readlink(Buffer.from(`${pool!.mnt}/api/link-ü`), { encoding: 'buffer' })) as Buffer).equals(Buffer.from('zïel-😀'))).toBe(true);
    const xattrs = await run(['python3', '-c', `import os; print([n for n in os.listxattr(${JSON.stringify(`${pool!.mnt}/api/${fromApi}`)})])`], '/');
    expect(Buffer.from(xattrs.out, 'latin1').toString('utf8')).toContain('user.naïve-😀');

    // and back: names made through the mount, read through the API
    const fromMount = 'naïve-日本-🚀';
    await fsp.writeFile(`${pool!.mnt}/api/${fromMount}`, 'from the mount');
    await fsp.symlink('→target', `${pool!.mnt}/api/link-from-mount`);
    const names = (await api!.readdir('/api')).map((e) => e.name).sort();
    expect(names).toEqual([fromApi, fromMount, 'link-from-mount', 'link-ü'].sort());
    expect((await api!.readFile(`/api/${fromMount}`)).toString()).toBe('from the mount');
    expect(await api!.readlink('/api/link-from-mount')).toBe('→target');
    expect(await api!.listxattr(`/api/${fromApi}`)).toEqual(['user.naïve-😀']);

    // a name that is not UTF-8 reads as U+FFFD through a text client, exactly through a 'bytes' client
    await fsp.writeFile(join(`${pool!.mnt}/api`, b('raw-', [0xff])), '');
    expect((await api!.readdir('/api')).map((e) => e.name)).toContain('raw-\ufffd');
    expect((await raw!.readdir('/api')).map((e) => e.name)).toContain('raw-\xff');
    expect((await raw!.readdir('/api')).map((e) => e.name)).toContain(Buffer.from(fromMount).toString('latin1'));
    await raw!.unlink('/api/raw-\xff');
    expect(await listBytes(`${pool!.mnt}/api`)).not.toContain(b('raw-', [0xff]).toString('hex'));
  });

  it('the wire takes only byte strings: a char above 0xff is EINVAL, a 256-byte component ENAMETOOLONG, and the link stays up', async () => {
    const errno = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: unknown) => (e instanceof FsError ? e.code : String(e)),
      );
    expect(await errno(raw!.mkdir('/wide-\u0100'))).toBe('EINVAL');
    expect(await errno(raw!.setxattr('/', 'user.\u20ac', Buffer.from('v')))).toBe('EINVAL');
    expect(await errno(raw!.symlink('\u{1f600}', '/wide-link'))).toBe('EINVAL');
    expect(await errno(api!.mkdir(`/${'é'.repeat(128)}`))).toBe('ENAMETOOLONG');
    expect(await errno(api!.mkdir(`/${'é'.repeat(127)}`))).toBe('ok');
    expect(await errno(raw!.mkdir(`/${'\xe9'.repeat(256)}`))).toBe('ENAMETOOLONG');
    expect((await raw!.getattr('/')).ino).toBeGreaterThan(0);
    expect(pool!.cluster.manager.output()).not.toMatch(/closing link to client|protocol error/i);
  });
});
