/**
 * Issue 8, directory leases, through real processes: client B (dirLeases on) answers stats, negative lookups and
 * listings from its cached listing; client A's create, unlink, rename, chmod and writes recall B's lease before A's
 * call returns (B's hook runs first), so B sees each change right after it; B's own changes show at once too; and
 * stats under the lease need no round trip (measured against the same stats without it).
 */
import { O, PoolClient } from '../../src';
import { Cluster, killAll, startCluster } from '../helpers/procs';

const SECRET = 'dir-leases-secret-for-tests-0123456789';

describe('directory leases', () => {
  let cluster: Cluster;
  let a: PoolClient;
  let b: PoolClient;
  let plain: PoolClient;
  const recalls: Array<{ ino: number; names: string[] | undefined; at: number }> = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, secret: SECRET });
    a = await PoolClient.connect(cluster.url, { secret: SECRET, name: 'A' });
    b = await PoolClient.connect(cluster.url, { secret: SECRET, name: 'B', dirLeases: true });
    plain = await PoolClient.connect(cluster.url, { secret: SECRET, name: 'plain' });
    b.onDirRecall = async (ino, names) => {
      await new Promise((r) => setTimeout(r, 30)); // a FUSE layer's invalidations take a while: the change must wait for them
      recalls.push({ ino, names, at: Date.now() });
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a, b, plain].map((c) => c?.close().catch(() => undefined)));
    await killAll();
  });

  /** B stats a path until its directory is cached (the cache fetches a listing after a few misses). */
  async function warm(path: string): Promise<void> {
    for (let i = 0; i < 4; i++) await b.getattr(path).catch(() => undefined);
    expect(b.dirCacheStats().dirs).toBeGreaterThan(0);
  }

  test("B's cached stats and negative lookups see A's create, unlink and rename right after A's call returns", async () => {
    await a.mkdir('/d');
    await a.mkdir('/e');
    await a.writeFile('/d/keep', Buffer.from('k'));
    await warm('/d/keep');
    const dIno = (await b.getattr('/d')).ino;
    await expect(b.getattr('/d/new')).rejects.toMatchObject({ code: 'ENOENT' }); // negative, from the cache

    recalls.length = 0;
    await a.writeFile('/d/new', Buffer.from('hello'));
    const returned = Date.now();
    expect(recalls.some((r) => r.ino === dIno && r.at <= returned)).toBe(true);
    expect(recalls.find((r) => r.ino === dIno)?.names).toEqual(['new']);
    expect((await b.getattr('/d/new')).size).toBe(5);
    await warm('/d/new');
    expect((await b.readdir('/d')).map((e) => e.name).sort()).toEqual(['keep', 'new']);

    await a.unlink('/d/new');
    await expect(b.getattr('/d/new')).rejects.toMatchObject({ code: 'ENOENT' });
    await warm('/d/keep');
    expect((await b.readdir('/d')).map((e) => e.name)).toEqual(['keep']);

    await warm('/e/x');
    await a.rename('/d/keep', '/e/moved');
    await expect(b.getattr('/d/keep')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await b.getattr('/e/moved')).size).toBe(1);
    await a.rename('/e', '/e2'); // an ancestor renamed: paths below it are gone
    await expect(b.getattr('/e/moved')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await b.getattr('/e2/moved')).size).toBe(1);
  });

  test("B's cached attributes see A's chmod, writes and truncate", async () => {
    await a.mkdir('/f');
    await a.writeFile('/f/x', Buffer.from('12345'));
    await warm('/f/x');
    await a.chmod('/f/x', 0o600);
    expect((await b.getattr('/f/x')).mode & 0o7777).toBe(0o600);
    await warm('/f/x');
    const fh = await a.open('/f/x', O.RDWR);
    await a.write(fh, 5, Buffer.from('678'));
    expect((await b.getattr('/f/x')).size).toBe(8); // A's WRITE lease recalled B's listing; B asks (A flushes first)
    await a.release(fh);
    await warm('/f/x');
    expect((await b.getattr('/f/x')).size).toBe(8);
    await a.truncate('/f/x', 2);
    expect((await b.getattr('/f/x')).size).toBe(2);
    await b.getattr('/f/x');
    expect((await b.readdir('/f')).find((e) => e.name === 'x')?.attr.size).toBe(2);
  });

  test("B's own changes show in its own cache at once", async () => {
    await b.mkdir('/g');
    await warm('/g/none');
    await b.writeFile('/g/mine', Buffer.from('abc'));
    expect((await b.getattr('/g/mine')).size).toBe(3);
    await b.rename('/g/mine', '/g/ours');
    await expect(b.getattr('/g/mine')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await b.getattr('/g/ours')).size).toBe(3);
    await b.chmod('/g/ours', 0o640);
    expect((await b.getattr('/g/ours')).mode & 0o7777).toBe(0o640);
    await b.unlink('/g/ours');
    await expect(b.getattr('/g/ours')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await b.readdir('/g')).toEqual([]);
    expect(await a.readdir('/g')).toEqual([]);
  });

  test('stat of 10,000 files in one directory: with the directory lease and without', async () => {
    const n = 10_000;
    await a.mkdir('/many');
    for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => a.mknod(`/many/f${i + j}`, 0o100644)));
    const statAll = async (c: PoolClient) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await c.getattr(`/many/f${i}`);
      return (performance.now() - t0) / 1000;
    };
    const without = await statAll(plain);
    await statAll(b); // the first pass fetches the listing
    const withLease = await statAll(b);
    console.log(`stat of ${n} files in one directory through PoolClient: ${Math.round(n / without)}/s without the directory lease, ${Math.round(n / withLease)}/s with it`);
    expect(withLease).toBeLessThan(without);
  }, 120_000);
});
