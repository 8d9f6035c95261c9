/**
 * The `core` suite: PoolClient data and metadata throughput against a real
 * pool (a manager and 3 memory nodes, each its own CLI process), beside the
 * raw `ws` loopback figures for the same payload sizes.
 */
import { randomBytes } from 'crypto';
import { PoolClient } from '../src';
import { startBenchCluster } from './cluster';
import { measureRawWs, RawWsFigures } from './raw-ws';
import { mbps, printTable, Row } from './report';
import { forDuration, lanes, timed } from './util';

const MiB = 1024 * 1024;

/** Sizes and durations of one core run (overridable by environment for quick runs). */
const cfg = {
  fileBytes: Number(process.env.BENCH_FILE_MIB ?? 512) * MiB,
  metaFiles: Number(process.env.BENCH_META_FILES ?? 10_000),
  seconds: Number(process.env.BENCH_SECONDS ?? 3),
  nodeMemory: process.env.BENCH_NODE_MEMORY ?? '1GiB',
};

/** PoolClient figures for one cluster. */
interface PoolFigures {
  write1: number;
  write8: number;
  read1: number;
  read8: number;
  rand1?: number;
  rand16?: number;
  meta?: { create1: number; stat1: number; unlink1: number; create16: number; stat16: number; unlink16: number };
}

/** Writes `bytes` to a new file with 1 MiB writes, `width` in flight, then fsync and close (both timed: a write-back cache flushes there); returns MB/s. */
async function writeFile(c: PoolClient, path: string, data: Buffer, bytes: number, width: number): Promise<number> {
  const fh = await c.create(path);
  const n = bytes / MiB;
  const s = await timed(async () => {
    await lanes(n, width, async (i) => void (await c.write(fh, i * MiB, data)));
    await c.fsync(fh);
    await c.release(fh);
  });
  return mbps(bytes, s);
}

/** Runs fn with a client of its own, so no read is served from pages an earlier phase cached. */
async function withFreshClient<T>(url: string, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await PoolClient.connect(url, { name: 'bench-reader' });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** Reads a file with 1 MiB reads, `width` in flight, spot-checking contents; returns MB/s. */
async function readFile(c: PoolClient, path: string, data: Buffer, bytes: number, width: number): Promise<number> {
  const fh = await c.open(path);
  const n = bytes / MiB;
  const s = await timed(() =>
    lanes(n, width, async (i) => {
      const got = await c.read(fh, i * MiB, MiB);
      if (got.length !== MiB || (i % 64 === 0 && !got.equals(data))) throw new Error(`${path}: wrong data at MiB ${i}`);
    }),
  );
  await c.release(fh);
  return mbps(bytes, s);
}

/** 4 KiB reads at random 4 KiB-aligned offsets for cfg.seconds with `width` in flight; returns IOPS. */
async function randomReads(c: PoolClient, path: string, bytes: number, width: number): Promise<number> {
  const fh = await c.open(path);
  const blocks = bytes / 4096;
  const r = await forDuration(cfg.seconds, width, async () => {
    const got = await c.read(fh, Math.floor(Math.random() * blocks) * 4096, 4096);
    if (got.length !== 4096) throw new Error(`${path}: short random read`);
  });
  await c.release(fh);
  return r.ops / r.seconds;
}

/** create (open O_CREAT + release), stat and unlink of cfg.metaFiles files in dir, `width` in flight; returns ops/s for each. */
async function metadata(c: PoolClient, dir: string, width: number): Promise<{ create: number; stat: number; unlink: number }> {
  await c.mkdir(dir);
  const n = cfg.metaFiles;
  const name = (i: number) => `${dir}/f${i}`;
  const create = await timed(() => lanes(n, width, async (i) => c.release(await c.create(name(i)))));
  const stat = await timed(() =>
    lanes(n, width, async (i) => {
      if ((await c.getattr(name(i))).size !== 0) throw new Error('unexpected size');
    }),
  );
  const unlink = await timed(() => lanes(n, width, (i) => c.unlink(name(i))));
  await c.rmdir(dir);
  return { create: n / create, stat: n / stat, unlink: n / unlink };
}

/** Runs the PoolClient measurements on a fresh cluster with the given replication. */
async function measurePool(replicas: number, full: boolean): Promise<PoolFigures> {
  const cluster = await startBenchCluster({ nodes: 3, memory: cfg.nodeMemory, replicas });
  const c = await PoolClient.connect(cluster.url, { name: 'bench' });
  try {
    const data = randomBytes(MiB);
    const bytes = cfg.fileBytes;
    const fresh = <T>(fn: (r: PoolClient) => Promise<T>) => withFreshClient(cluster.url, fn);
    await writeFile(c, '/warmup', data, 32 * MiB, 8);
    await fresh((r) => readFile(r, '/warmup', data, 32 * MiB, 8));
    await c.unlink('/warmup');
    const f: PoolFigures = { write1: 0, write8: 0, read1: 0, read8: 0 };
    f.write1 = await writeFile(c, '/seq', data, bytes, 1);
    f.read1 = await fresh((r) => readFile(r, '/seq', data, bytes, 1));
    f.read8 = await fresh((r) => readFile(r, '/seq', data, bytes, 8));
    if (full) {
      f.rand1 = await fresh((r) => randomReads(r, '/seq', bytes, 1));
      f.rand16 = await fresh((r) => randomReads(r, '/seq', bytes, 16));
    }
    await c.unlink('/seq');
    f.write8 = await writeFile(c, '/par', data, bytes, 8);
    await c.unlink('/par');
    if (full) {
      const m1 = await metadata(c, '/meta1', 1);
      const m16 = await metadata(c, '/meta16', 16);
      f.meta = { create1: m1.create, stat1: m1.stat, unlink1: m1.unlink, create16: m16.create, stat16: m16.stat, unlink16: m16.unlink };
    }
    return f;
  } finally {
    await c.close();
    await cluster.stop();
  }
}

/** Table rows for one cluster's figures, each with its ratio to the matching raw ws figure. */
function poolRows(r: number, p: PoolFigures, raw: RawWsFigures): Row[] {
  const row = (name: string, value: number, unit: string, ref: number, vs: string): Row => ({ name: `PoolClient R=${r} ${name}`, value, unit, ratio: value / ref, vs });
  const rows: Row[] = [
    row('seq write 1 MiB, QD1', p.write1, 'MB/s', raw.write1, 'raw write QD1'),
    row('seq write 1 MiB, 8 in flight', p.write8, 'MB/s', raw.write8, 'raw write QD8'),
    row('seq read 1 MiB, QD1', p.read1, 'MB/s', raw.read1, 'raw read QD1'),
    row('seq read 1 MiB, 8 in flight', p.read8, 'MB/s', raw.read8, 'raw read QD8'),
  ];
  if (p.rand1 !== undefined) rows.push(row('rand read 4 KiB, QD1', p.rand1, 'IOPS', raw.rtt4k1, 'raw 4 KiB QD1'));
  if (p.rand16 !== undefined) rows.push(row('rand read 4 KiB, QD16', p.rand16, 'IOPS', raw.rtt4k16, 'raw 4 KiB QD16'));
  const m = p.meta;
  if (m) {
    rows.push(
      row('create, 1 at a time', m.create1, 'ops/s', raw.rttSmall1, 'raw 64 B QD1'),
      row('stat, 1 at a time', m.stat1, 'ops/s', raw.rttSmall1, 'raw 64 B QD1'),
      row('unlink, 1 at a time', m.unlink1, 'ops/s', raw.rttSmall1, 'raw 64 B QD1'),
      row('create, 16 in flight', m.create16, 'ops/s', raw.rttSmall16, 'raw 64 B QD16'),
      row('stat, 16 in flight', m.stat16, 'ops/s', raw.rttSmall16, 'raw 64 B QD16'),
      row('unlink, 16 in flight', m.unlink16, 'ops/s', raw.rttSmall16, 'raw 64 B QD16'),
    );
  }
  return rows;
}

/** Runs the core suite and prints its table; the headline is seq write at R=1 against raw ws (target ≥ 70%). */
export async function runCore(): Promise<void> {
  console.log(`core: raw ws ceiling, then PoolClient on 3 memory nodes of ${cfg.nodeMemory} (file ${cfg.fileBytes / MiB} MiB, ${cfg.metaFiles} metadata files)`);
  const raw = await measureRawWs({ bulkBytes: cfg.fileBytes, seconds: Math.min(cfg.seconds, 2) });
  console.log('raw ws done; PoolClient R=1 …');
  const r1 = await measurePool(1, true);
  console.log('R=1 done; PoolClient R=2 …');
  const r2 = await measurePool(2, false);
  const rawRows: Row[] = [
    { name: 'raw ws write 1 MiB + ack, QD1', value: raw.write1, unit: 'MB/s' },
    { name: 'raw ws write 1 MiB + ack, QD8', value: raw.write8, unit: 'MB/s' },
    { name: 'raw ws read 1 MiB reply, QD1', value: raw.read1, unit: 'MB/s' },
    { name: 'raw ws read 1 MiB reply, QD8', value: raw.read8, unit: 'MB/s' },
    { name: 'raw ws 4 KiB reply, QD1', value: raw.rtt4k1, unit: 'round trips/s' },
    { name: 'raw ws 4 KiB reply, QD16', value: raw.rtt4k16, unit: 'round trips/s' },
    { name: 'raw ws 64 B round trip, QD1', value: raw.rttSmall1, unit: 'round trips/s' },
    { name: 'raw ws 64 B round trip, QD16', value: raw.rttSmall16, unit: 'round trips/s' },
  ];
  printTable('core (MB = 10^6 bytes; ratio = PoolClient / raw ws figure named in "vs")', [...rawRows, ...poolRows(1, r1, raw), ...poolRows(2, r2, raw)]);
  const headline = r1.write1 / raw.write1;
  console.log(`\nheadline: PoolClient seq write R=1 / raw ws write (1 MiB, QD1) = ${(headline * 100).toFixed(0)}% (target ≥ 70%: ${headline >= 0.7 ? 'met' : 'NOT met'})`);
}
