/**
 * The pool core end to end: a manager and three memory nodes started through
 * the CLI as separate processes, driven by a PoolClient. Data must come back
 * byte-exact through writes, holes, renames, links, truncations and deletes;
 * `mempool status --json` must account every stored byte × replication; and
 * with --replicas 2 the replicas of each chunk sit on distinct nodes, spread
 * evenly.
 */
import { randomBytes } from 'crypto';
import { FsError, PoolClient } from '../../src';
import { ChunkLocation } from '../../src/types';
import { PoolModel } from '../helpers/pool-model';
import { Cluster, killAll, startCluster } from '../helpers/procs';
import { cliStatus, statusWhen } from '../helpers/status';

const KiB = 1024;
const MiB = 1024 * 1024;

/** Deterministic PRNG (mulberry32) so sizes and offsets are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Expects a promise to reject with the given errno name. */
async function expectErrno(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FsError);
  expect((err as FsError).code).toBe(code);
}

/** Runs jobs with at most width in flight. */
async function parallel<T>(items: T[], width: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await job(items[next++]!); // next < items.length was checked on this line
    }),
  );
}

afterAll(async () => {
  await killAll();
});

describe('200 files through a manager and 3 memory nodes (default R=2, 1 MiB chunks)', () => {
  const NODE_MEMORY = 320 * MiB;
  let cluster: Cluster;
  let client: PoolClient;
  let model: PoolModel;
  let written = 0;
  let stopping = false;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, memory: '320MiB' });
    // A process that dies mid-test explains every later failure: say so with its last words.
    for (const p of [cluster.manager, ...cluster.nodes])
      void p.exited.then((code) => stopping || console.error(`process ${p.child.pid} exited early (${code}) at ${new Date().toISOString()}:\n${p.output().slice(-3000)}`));
    client = await PoolClient.connect(cluster.url);
    model = new PoolModel(client, client.chunkSize);
  });

  afterAll(async () => {
    stopping = true;
    await client?.close();
    await cluster?.stop();
  });

  /** Status must account exactly the model's stored bytes × the replication factor. */
  async function expectAccounting(): Promise<void> {
    const want = model.storedBytes() * 2;
    const st = await statusWhen(cluster.url, (s) => s.used === want);
    expect(st.replicas).toBe(2);
    expect(st.used).toBe(want);
    expect(st.nodes.reduce((s, n) => s + n.used, 0)).toBe(want);
    expect(st.files).toBe(model.inodeCount());
    expect(st.clients).toBe(1);
    expect(st.capacity).toBe(3 * NODE_MEMORY);
  }

  test('writes 200 files of mixed sizes, some sparse, and reads them back byte-exact', async () => {
    expect(client.chunkSize).toBe(MiB);
    const dirs = ['/a', '/a/deep', '/b', '/c'];
    for (const d of dirs) await client.mkdir(d);
    const rnd = prng(2024);
    const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const sizes: number[] = [
      ...Array<number>(8).fill(0),
      MiB,
      4 * MiB,
      20 * MiB,
      20 * MiB - 1,
      1,
      MiB + 1,
      ...Array.from({ length: 58 }, () => between(1, 64 * KiB)),
      ...Array.from({ length: 80 }, () => between(64 * KiB, 2 * MiB)),
      ...Array.from({ length: 36 }, () => between(2 * MiB, 6 * MiB)),
      ...Array.from({ length: 6 }, () => between(6 * MiB, 14 * MiB)),
    ];
    const stepChoices = [Infinity, MiB, 64 * KiB + 123, 3 * MiB + 7, 333_333];
    const plain = sizes.map((size, i) => ({ path: `${dirs[i % dirs.length]}/f${String(i).padStart(3, '0')}`, size, step: stepChoices[i % stepChoices.length]! }));
    const t0 = Date.now();
    await parallel(plain, 4, async ({ path, size, step }) => {
      const data = randomBytes(size);
      const writes: Array<[number, Buffer]> = [];
      for (let pos = 0; pos < size; pos += Math.min(step, size)) writes.push([pos, data.subarray(pos, Math.min(size, pos + step))]);
      await model.writeFile(path, writes);
      written += size;
    });

    // Sparse files: holes inside a chunk, holes spanning whole chunks, writes out of order, overwrites, growth by truncate.
    const sparse: Array<[string, Array<[number, Buffer]>]> = [
      [
        '/c/sparse-holes',
        [
          [0, randomBytes(1000)],
          [1.5 * MiB + 17, randomBytes(50_000)],
          [4 * MiB + 5, randomBytes(100)],
        ],
      ],
      ['/c/sparse-far', [[7 * MiB + 3, randomBytes(10)]]],
      [
        '/c/sparse-inchunk',
        [
          [0, randomBytes(100)],
          [500_000, randomBytes(100_000)],
          [50, randomBytes(1000)],
        ],
      ],
      [
        '/c/sparse-backwards',
        [
          [3 * MiB, randomBytes(MiB)],
          [0, randomBytes(10)],
          [2 * MiB - 5, randomBytes(10)],
        ],
      ],
      [
        '/a/deep/overwrite',
        [
          [0, randomBytes(3 * MiB + 77)],
          [MiB - 3, randomBytes(2 * MiB)],
        ],
      ],
      ['/b/sparse-extended', [[0, randomBytes(300 * KiB)]]],
    ];
    for (const [path, writes] of sparse) {
      await model.writeFile(path, writes);
      written += writes.reduce((s, [, b]) => s + b.length, 0);
    }
    await model.truncate('/b/sparse-extended', 6 * MiB + 1);
    const writeMs = Date.now() - t0;
    expect(model.paths()).toHaveLength(200);

    const t1 = Date.now();
    const read = await model.verifyAll();
    const readMs = Date.now() - t1;
    console.log(
      `core: wrote ${(written / MiB).toFixed(1)} MiB in ${writeMs} ms (${(written / MiB / (writeMs / 1000)).toFixed(0)} MiB/s at R=2), read+verified ${(read / MiB).toFixed(1)} MiB in ${readMs} ms`,
    );

    // Holes read as zeros (also covered by the sha256 comparison above, checked here directly).
    expect((await client.readFile('/c/sparse-far')).subarray(0, 7 * MiB + 3).equals(Buffer.alloc(7 * MiB + 3))).toBe(true);
    const holes = await client.readFile('/c/sparse-holes');
    expect(holes.subarray(2 * MiB, 4 * MiB).equals(Buffer.alloc(2 * MiB))).toBe(true);
    const grown = await client.readFile('/b/sparse-extended');
    expect(grown.length).toBe(6 * MiB + 1);
    expect(grown.subarray(300 * KiB).equals(Buffer.alloc(6 * MiB + 1 - 300 * KiB))).toBe(true);
  });

  test('status --json: capacity is the sum of the nodes, used = stored bytes × 2', async () => {
    const st = cliStatus(cluster.url);
    expect(st.nodes).toHaveLength(3);
    for (const n of st.nodes) {
      expect(n.alive).toBe(true);
      expect(n.capacity).toBe(NODE_MEMORY);
      expect(n.chunks).toBeGreaterThan(0);
    }
    expect(st.directories).toBeGreaterThanOrEqual(4);
    await expectAccounting();
    // Holes are not stored: well below size × 2 because of the sparse files, and every byte written counted.
    expect(model.storedBytes()).toBeLessThan(written);
  });

  /** A file directly in dir with at least minSize bytes that is not in taken; marks it taken. */
  const taken = new Set<string>();
  function pick(dir: string, minSize: number): string {
    const p = model.paths().find((x) => x.startsWith(`${dir}/f`) && !x.slice(dir.length + 1).includes('/') && !taken.has(x) && model.expected(x).length >= minSize);
    if (!p) throw new Error(`no file of ${minSize}+ bytes left in ${dir}`);
    taken.add(p);
    return p;
  }

  test('renames: across directories, over an existing file, old names gone', async () => {
    const before = model.inodeCount();
    const across = pick('/a', 1);
    await model.rename(across, '/b/moved-from-a');
    await expectErrno(client.getattr(across), 'ENOENT');
    await model.verify('/b/moved-from-a');

    // Over an existing file in the same directory: the replaced file's data is freed.
    const [src, victim] = [pick('/b', 2 * MiB), pick('/b', MiB)];
    await model.rename(src, victim);
    await expectErrno(client.getattr(src), 'ENOENT');
    await model.verify(victim);

    // Over an existing file in another directory, then on to a new name.
    const [src2, victim2] = [pick('/c', 1), pick('/a/deep', 1)];
    await model.rename(src2, victim2);
    await model.verify(victim2);
    await model.rename(victim2, '/c/back-again');
    await expectErrno(client.getattr(victim2), 'ENOENT');
    await model.verify('/c/back-again');
    expect(model.inodeCount()).toBe(before - 2);
    await expectAccounting();
  });

  test('hard links: same inode, nlink 2, data through both names, survives unlinking the first', async () => {
    const src = pick('/b', 2 * MiB);
    const dst = '/a/deep/hardlink';
    await model.link(src, dst);
    const [a, b] = [await client.getattr(src), await client.getattr(dst)];
    expect(b.ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    expect(b.nlink).toBe(2);
    await model.verify(src);
    await model.verify(dst);

    // A write through one name is seen through the other.
    const patch = randomBytes(200_000);
    const fh = await client.open(dst, 2);
    await model.write(dst, fh, MiB - 100, patch);
    await client.release(fh);
    await model.verify(src);
    await model.verify(dst);

    await model.unlink(src);
    expect((await client.getattr(dst)).nlink).toBe(1);
    await model.verify(dst);
    await expectAccounting();
  });

  test('truncate down and up: cut data gone, growth reads zeros', async () => {
    const big = model.paths().filter((p) => model.expected(p).length > 5 * MiB);
    expect(big.length).toBeGreaterThanOrEqual(4);
    const [p1, p2, p3, p4] = big as [string, string, string, string]; // at least 4, checked just above

    await model.truncate(p1, 2.5 * MiB + 3);
    await model.verify(p1);
    await model.truncate(p1, 7 * MiB);
    await model.verify(p1);
    const tail = (await client.readFile(p1)).subarray(2.5 * MiB + 3);
    expect(tail.equals(Buffer.alloc(tail.length))).toBe(true);

    await model.truncate(p2, MiB); // chunk-aligned cut
    await model.verify(p2);
    await model.truncate(p2, 3 * MiB + 5);
    await model.verify(p2);

    await model.truncate(p3, 0);
    await model.verify(p3);
    await model.truncate(p3, 100);
    await model.verify(p3);

    // Cut, grow, then write beyond the old data: bytes between stay zero.
    await model.truncate(p4, 10);
    const fh = await client.open(p4, 2);
    await model.write(p4, fh, 2 * MiB + 9, randomBytes(33));
    await client.release(fh);
    await model.verify(p4);
    await expectAccounting();
  });

  test('deletes: names gone, the rest intact, usage follows', async () => {
    const doomed = model.paths().filter((_, i) => i % 4 === 0);
    for (const p of doomed) await model.unlink(p);
    for (const p of doomed.slice(0, 10)) await expectErrno(client.getattr(p), 'ENOENT');
    await model.verifyAll();
    await expectAccounting();
  });

  test('deleting everything returns used to 0', async () => {
    for (const p of model.paths()) await model.unlink(p);
    for (const d of ['/a/deep', '/a', '/b', '/c']) await client.rmdir(d);
    expect(await client.readdir('/')).toEqual([]);
    const st = await statusWhen(cluster.url, (s) => s.used === 0 && s.nodes.every((n) => n.chunks === 0));
    expect(st.used).toBe(0);
    expect(st.allocated).toBe(0);
    expect(st.files).toBe(0);
    for (const n of st.nodes) expect(n.chunks).toBe(0);
  });
});

describe('--replicas 2 placement over 3 equal nodes (64 KiB chunks)', () => {
  let cluster: Cluster;
  let client: PoolClient;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, memory: '128MiB', replicas: 2, chunkSize: '64KiB' });
    client = await PoolClient.connect(cluster.url);
  });

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  });

  test('1,000 chunks: replicas on distinct live nodes, no node above 1.25 × the mean', async () => {
    expect(client.chunkSize).toBe(64 * KiB);
    const FILES = 10;
    const CHUNKS = 100;
    const files = Array.from({ length: FILES }, (_, i) => `/spread-${i}`);
    await parallel(files, 4, async (path) => {
      const fh = await client.create(path);
      for (let c = 0; c < CHUNKS; c++) await client.write(fh, c * 64 * KiB, randomBytes(64 * KiB));
      await client.release(fh);
    });

    const st = cliStatus(cluster.url);
    expect(st.replicas).toBe(2);
    expect(st.chunks).toBe(FILES * CHUNKS * 2); // copies held by the nodes: every chunk twice
    const nodeIds = new Set(st.nodes.map((n) => n.id));
    const perNode = new Map<string, number>();
    let located = 0;
    for (const path of files) {
      const chunks: ChunkLocation[] = await client.locate(path);
      expect(chunks.map((c) => c.index)).toEqual(Array.from({ length: CHUNKS }, (_, i) => i));
      for (const c of chunks) {
        expect(c.replicas).toHaveLength(2);
        expect(new Set(c.replicas).size).toBe(2);
        for (const id of c.replicas) {
          expect(nodeIds.has(id)).toBe(true);
          perNode.set(id, (perNode.get(id) ?? 0) + 1);
        }
        located++;
      }
    }
    expect(located).toBe(1000);

    // The nodes' own chunk counts agree with the manager's placement record.
    for (const n of st.nodes) expect(n.chunks).toBe(perNode.get(n.id) ?? 0);
    const counts = st.nodes.map((n) => n.chunks);
    const mean = counts.reduce((s, n) => s + n, 0) / counts.length;
    expect(mean).toBeCloseTo(2000 / 3, 5);
    console.log(`placement: chunks per node ${counts.join(', ')} (mean ${mean.toFixed(1)}, max/mean ${(Math.max(...counts) / mean).toFixed(3)})`);
    for (const n of counts) expect(n).toBeLessThanOrEqual(1.25 * mean);
    expect(st.used).toBe(2 * FILES * CHUNKS * 64 * KiB);
  });
});
