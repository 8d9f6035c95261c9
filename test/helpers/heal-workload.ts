/**
 * A client workload run as its own process (so a test can start it inside a test host's network namespace):
 *   node heal-workload.js loop URL SECONDS    small writes with fsync and read-backs over a few files; prints one JSON line
 *                                             { ops, errors, p50, p99, max, files: { path: sha256 } }
 *   node heal-workload.js verify URL PATH...  prints { files: { path: sha256 }, scrub: { chunks, mismatched, missing } }:
 *                                             every replica of every chunk read straight from its node and compared
 *   node heal-workload.js put URL TAG PATH... writes a 512 KiB file per path (content named by TAG); prints { files: { path: sha256 } }
 *   node heal-workload.js reread URL PATH...  opens the paths, reads them (prints { files }), and reads them again through the
 *                                             same open handles each time a line comes on stdin
 * The secret comes from MEMPOOL_SECRET.
 */
import { createHash, randomBytes, randomUUID } from 'crypto';
import { createInterface } from 'readline';
import { PoolClient } from '../../src';
import { chunkKey } from '../../src/types';
import { Api, call, callData, Link, nodeAccessKey } from '../../transport';
import { pattern } from './heal-pattern';

const FILES = 4;
/** Bytes each loop file holds. */
const FILE_SIZE = 3 * 1024 * 1024;

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** Small writes with fsync and read-backs for `seconds`; every read must return what this process wrote. */
async function loop(url: string, seconds: number): Promise<void> {
  const client = await PoolClient.connect(url, { name: 'heal-workload' });
  const model = new Map<string, Buffer>();
  const fhs = new Map<string, number>();
  await client.mkdir('/w').catch(() => undefined);
  for (let f = 0; f < FILES; f++) {
    const path = `/w/f${f}`;
    const data = randomBytes(FILE_SIZE);
    await client.writeFile(path, data);
    model.set(path, data);
    fhs.set(path, await client.open(path, 2));
  }
  process.stdout.write('ready\n');
  const lat: number[] = [];
  const errors: string[] = [];
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    const path = `/w/f${i % FILES}`;
    const fh = fhs.get(path)!;
    const data = model.get(path)!;
    const len = 512 + ((i * 7919) % 16384);
    const pos = (i * 104729) % (FILE_SIZE - len);
    const piece = randomBytes(len);
    const t0 = performance.now();
    try {
      await client.write(fh, pos, piece);
      await client.fsync(fh);
      piece.copy(data, pos);
      const other = (pos * 31 + 12345) % (FILE_SIZE - 4096);
      const got = await client.read(fh, other, 4096);
      if (!got.equals(data.subarray(other, other + 4096))) errors.push(`${path}: wrong bytes at ${other}`);
    } catch (err) {
      errors.push(`${path}: ${(err as Error).message}`);
    }
    lat.push(performance.now() - t0);
  }
  for (const fh of fhs.values()) await client.release(fh);
  const files: Record<string, string> = {};
  for (const [path, data] of model) files[path] = sha256(data);
  await client.close();
  lat.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ ops: lat.length, errors, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1] ?? 0, files }) + '\n');
}

/** Hashes of the given files, and a scrub: every replica of every chunk must hold the same bytes. */
async function verify(url: string, paths: string[]): Promise<void> {
  const client = await PoolClient.connect(url, { name: 'heal-verify', cacheBytes: 0 });
  const secret = (process.env.MEMPOOL_SECRET ?? '').trim();
  const hello = { role: 'client', id: randomUUID(), name: 'heal-scrub' } as const;
  const manager = new Link(url, { secret, hello, maxPayload: 80 * 1024 * 1024 });
  const links = new Map<string, Link>();
  const files: Record<string, string> = {};
  const scrub = { chunks: 0, replicas: 0, minReplicas: Infinity, mismatched: [] as string[] };
  for (const path of paths) {
    files[path] = sha256(await client.readFile(path));
    const a = await client.getattr(path);
    const total = Math.ceil(a.size / client.chunkSize);
    if (total === 0) continue;
    const loc = await call(manager, Api.Locate, { ino: a.ino, first: 0, count: total, write: false });
    for (const n of loc.nodes) if (!links.has(n.id)) links.set(n.id, new Link(n.url, { secret: nodeAccessKey(secret), hello, maxPayload: 80 * 1024 * 1024 }));
    for (const c of loc.chunks) {
      scrub.chunks++;
      const key = chunkKey(a.ino, c.index, loc.gen ?? 0);
      const copies: string[] = [];
      scrub.minReplicas = Math.min(scrub.minReplicas, new Set(c.replicas).size);
      for (const id of c.replicas) {
        scrub.replicas++;
        const r = await callData(links.get(id)!, Api.ChunkRead, { key, off: 0, len: client.chunkSize, ver: c.ver, cap: loc.cap }, undefined, 10_000);
        copies.push(sha256(r.data));
      }
      if (new Set(copies).size > 1) scrub.mismatched.push(`${path} chunk ${c.index}`);
    }
  }
  for (const l of links.values()) l.close();
  manager.close();
  await client.close();
  process.stdout.write(JSON.stringify({ files, scrub }) + '\n');
}

/** Writes `mib` MiB of a deterministic pattern to PATH, fsyncs, prints "synced", and waits to be killed. */
async function writeAndHang(url: string, path: string, mib: number): Promise<void> {
  const client = await PoolClient.connect(url, { name: 'heal-writer' });
  const fh = await client.create(path);
  await client.write(fh, 0, pattern(mib));
  await client.fsync(fh);
  process.stdout.write('synced\n');
  await new Promise(() => undefined);
}

/** Writes 512 KiB named by tag to each path (a fresh writer each time). */
async function put(url: string, tag: string, paths: string[]): Promise<void> {
  const client = await PoolClient.connect(url, { name: 'heal-put' });
  const files: Record<string, string> = {};
  for (const path of paths) {
    const data = createHash('sha512').update(`${tag}:${path}`).digest();
    const content = Buffer.concat(Array.from({ length: 8192 }, () => data));
    await client.writeFile(path, content);
    files[path] = sha256(content);
  }
  await client.close();
  process.stdout.write(JSON.stringify({ files }) + '\n');
}

/** Keeps the paths open and reads them whole at the start and after each stdin line (a reader whose locations are cached). */
async function reread(url: string, paths: string[]): Promise<void> {
  const client = await PoolClient.connect(url, { name: 'heal-reader' });
  const handles = await Promise.all(paths.map((p) => client.open(p)));
  const readAll = async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < paths.length; i++) files[paths[i]!] = sha256(await client.read(handles[i]!, 0, 1024 * 1024));
    process.stdout.write(JSON.stringify({ files }) + '\n');
  };
  await readAll();
  for await (const line of createInterface({ input: process.stdin })) if (line !== undefined) await readAll();
  await client.close();
}

const [mode, url, ...rest] = process.argv.slice(2);
const run =
  mode === 'loop'
    ? loop(url!, Number(rest[0] ?? 10))
    : mode === 'hang'
      ? writeAndHang(url!, rest[0]!, Number(rest[1]))
      : mode === 'put'
        ? put(url!, rest[0]!, rest.slice(1))
        : mode === 'reread'
          ? reread(url!, rest)
          : verify(url!, rest);
run.then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`heal-workload: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
