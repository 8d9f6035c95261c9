/**
 * Chunk capabilities against a real manager and memory node, spoken to as a hostile client would (raw ws, with the
 * cluster secret): a node serves a client's ChunkRead/ChunkWrite only with a genuine, unexpired capability for that
 * file, generation and chunk (write: a write capability for the request's epoch), answering EACCES otherwise and
 * keeping the link; Locate hands write capabilities only to the WRITE lease holder; only the manager may delete,
 * fence, truncate or version chunks.
 */
import { randomBytes } from 'crypto';
import { PoolClient } from '../../src/client/pool-client';
import { chunkKey } from '../../src/types';
import { capKey, CapFields, issueCap, parseCap } from '../../src/security/capability';
import { Frame } from '../../transport/frame';
import { Msg } from '../../transport/messages';
import { defined } from '../helpers/defined';
import { Cluster, killAll, startCluster } from '../helpers/procs';
import { rawAuthenticated, RawConn, rawRequest } from '../helpers/raw-ws';
import { nodeAccessKey } from '../../transport/auth';

const SECRET = `caps-${randomBytes(16).toString('hex')}`;
const CHUNK = 64 * 1024;
/** Capability lifetime of this test's manager (--cap-ttl, seconds): short, so one can be seen expiring. */
const TTL_S = 2;
const EACCES = 13;
const EPERM = 1;

let cluster: Cluster;
let owner: PoolClient;
let manager: RawConn;
let node: RawConn;
let rid = 1;
const data = randomBytes(3 * CHUNK);
/** The test file's inode and chunk key generation. */
let ino = 0;
let gen = 0;

/** A raw request; returns its frame. */
const ask = (conn: RawConn, type: number, meta: Record<string, unknown>, payload?: Buffer): Promise<Frame> => rawRequest(conn, type, rid++, meta, payload, 20_000);

/** A Locate as the raw client; its reply's capability (and what it says). */
async function locate(first: number, count: number, write = false, epoch?: number): Promise<{ cap: string; fields: CapFields; reply: Frame }> {
  const reply = await ask(manager, Msg.Locate, { ino, first, count, write, ...(epoch === undefined ? {} : { epoch }) });
  expect(reply.status).toBe(0);
  const cap = defined(reply.meta.cap as string | undefined, 'a capability in the Locate reply');
  return { cap, fields: defined(parseCap(cap) ?? undefined, 'a well-formed capability'), reply };
}

const read = (key: string, cap: string | undefined): Promise<Frame> => ask(node, Msg.ChunkRead, { key, off: 0, len: 16, ...(cap === undefined ? {} : { cap }) });
const write = (key: string, cap: string | undefined, epoch?: number): Promise<Frame> =>
  ask(node, Msg.ChunkWrite, { key, off: 0, ...(epoch === undefined ? {} : { epoch }), ...(cap === undefined ? {} : { cap }) }, Buffer.from('hostile'));

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1, memory: '64MiB', chunkSize: '64KiB', secret: SECRET, extraManagerArgs: ['--cap-ttl', String(TTL_S)] });
  const nodeUrl = defined(cluster.nodes[0]?.output().match(/serving .* on (wss?:\/\/\S+)/)?.[1], 'the memory node URL');
  owner = await PoolClient.connect(cluster.url, { secret: SECRET, name: 'caps-owner' });
  await owner.writeFile('/f', data);
  ino = (await owner.getattr('/f')).ino;
  manager = await rawAuthenticated(cluster.url, SECRET);
  node = await rawAuthenticated(nodeUrl, nodeAccessKey(SECRET)); // clients prove to nodes the key derived from the client secret
  gen = (await locate(0, 1)).reply.meta.gen as number;
}, 60_000);

afterAll(async () => {
  manager?.ws.close();
  node?.ws.close();
  await owner?.close();
  await cluster?.stop();
  await killAll();
});

describe('a memory node checks the capability of every chunk request from a client', () => {
  it('serves a read with the capability Locate gave (a read capability for the chunks asked for)', async () => {
    const { cap, fields } = await locate(0, 3);
    expect(fields).toMatchObject({ ino, gen, first: 0, count: 3, write: false, epoch: 0 });
    const r = await read(chunkKey(ino, 1, gen), cap);
    expect(r.status).toBe(0);
    expect(r.data.equals(data.subarray(CHUNK, CHUNK + 16))).toBe(true);
  });

  it('refuses reads and writes without a capability, with EACCES, and keeps the link', async () => {
    expect((await read(chunkKey(ino, 0, gen), undefined)).status).toBe(EACCES);
    expect((await write(chunkKey(ino, 0, gen), undefined, 1)).status).toBe(EACCES);
    expect((await read('not-a-key', undefined)).status).toBe(EACCES);
    expect(node.ws.readyState).toBe(node.ws.OPEN);
  });

  it('refuses forged capabilities: a wrong key, an altered field, an altered MAC, garbage', async () => {
    const { cap, fields } = await locate(0, 1);
    const key = chunkKey(ino, 0, gen);
    const wrongKey = issueCap(capKey('not the node secret'), fields);
    const widened = cap.replace(`.${fields.first}.${fields.count}.r.`, `.${fields.first}.${fields.count + 9}.w.`);
    expect(widened).not.toBe(cap);
    const lastChar = cap.endsWith('A') ? 'B' : 'A';
    const badMac = cap.slice(0, -1) + lastChar;
    for (const forged of [wrongKey, widened, badMac, 'garbage', '']) {
      expect((await read(key, forged)).status).toBe(EACCES);
    }
    expect((await write(key, widened, 0)).status).toBe(EACCES);
  });

  it('refuses a capability used for another inode, another generation or a chunk outside its range', async () => {
    const other = await owner.writeFile('/other', randomBytes(CHUNK)).then(() => owner.getattr('/other'));
    const { cap } = await locate(0, 1);
    expect((await read(chunkKey(ino, 0, gen), cap)).status).toBe(0);
    expect((await read(chunkKey(other.ino, 0, gen), cap)).status).toBe(EACCES);
    expect((await read(chunkKey(ino, 0, gen + 1), cap)).status).toBe(EACCES);
    expect((await read(chunkKey(ino, 1, gen), cap)).status).toBe(EACCES);
    const { cap: middle } = await locate(1, 1);
    expect((await read(chunkKey(ino, 0, gen), middle)).status).toBe(EACCES);
    expect((await read(chunkKey(ino, 2, gen), middle)).status).toBe(EACCES);
  });

  it('a read capability cannot write', async () => {
    const { cap } = await locate(0, 3);
    for (const epoch of [undefined, 0, 1]) expect((await write(chunkKey(ino, 0, gen), cap, epoch)).status).toBe(EACCES);
    expect((await owner.readFile('/f')).equals(data)).toBe(true);
  });

  it('refuses an expired capability; a PoolClient whose capabilities expired meanwhile gets new ones', async () => {
    const { cap } = await locate(0, 1);
    const key = chunkKey(ino, 0, gen);
    expect((await read(key, cap)).status).toBe(0);
    const until = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < until && status === 0) {
      status = (await read(key, cap)).status;
      if (status === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(EACCES);
    // the owner's capabilities (issued before this one) expired too: it locates again and reads on
    expect((await owner.readFile('/f')).equals(data)).toBe(true);
  }, 60_000);
});

describe('the manager hands write capabilities only to the WRITE lease holder', () => {
  it('Locate with write: a read capability without the WRITE lease; a write capability for the epoch with it', async () => {
    await owner.writeFile('/w', randomBytes(CHUNK));
    const w = (await owner.getattr('/w')).ino;
    const saved = ino;
    ino = w;
    try {
      const wgen = (await locate(0, 1)).reply.meta.gen as number;
      const key = chunkKey(w, 0, wgen);
      const without = await locate(0, 1, true);
      expect(without.fields.write).toBe(false);
      expect((await write(key, without.cap, 1)).status).toBe(EACCES);

      const grant = await ask(manager, Msg.LeaseAcquire, { ino: w, mode: 2 });
      expect(grant.status).toBe(0);
      const epoch = grant.meta.epoch as number;
      const withLease = await locate(0, 1, true, epoch);
      expect(withLease.fields).toMatchObject({ ino: w, gen: wgen, first: 0, count: 1, write: true, epoch });
      expect((await write(key, withLease.cap, epoch + 1)).status).toBe(EACCES); // not the capability's epoch
      expect((await write(chunkKey(w, 1, wgen), withLease.cap, epoch)).status).toBe(EACCES); // outside its range
      expect((await write(key, withLease.cap, epoch)).status).toBe(0);
      const back = await read(key, withLease.cap); // a write capability reads too (a writer's cache merges pages)
      expect(back.data.subarray(0, 7).toString()).toBe('hostile');
      // the grant itself carries a write capability for the whole file (a holder cut off from the manager can still write back)
      const whole = defined(parseCap(grant.meta.cap as string) ?? undefined, "the WRITE grant's capability");
      expect(whole).toMatchObject({ ino: w, gen: wgen, first: 0, write: true, epoch });
      expect(whole.count).toBeGreaterThan(1_000_000);
      expect((await write(chunkKey(w, 5, wgen), grant.meta.cap as string, epoch)).status).toBe(0);
      expect((await ask(manager, Msg.LeaseRelease, { ino: w })).status).toBe(0);
      expect((await locate(0, 1, true, epoch)).fields.write).toBe(false); // released: read only again
    } finally {
      ino = saved;
    }
  });

  it('a READ lease grant carries no capability', async () => {
    const grant = await ask(manager, Msg.LeaseAcquire, { ino, mode: 1 });
    expect(grant.status).toBe(0);
    expect(grant.meta.cap).toBeUndefined();
    expect((await ask(manager, Msg.LeaseRelease, { ino })).status).toBe(0);
  });
});

describe('only the manager may delete, fence, truncate or version chunks', () => {
  it('a client gets EPERM for ChunkDelete, ChunkFence, ChunkFenceBelow, ChunkTruncate, ChunkVersion, ChunkList, NodeStats', async () => {
    const key = chunkKey(ino, 0, gen);
    const cases: Array<[number, Record<string, unknown>]> = [
      [Msg.ChunkDelete, { keys: [key] }],
      [Msg.ChunkFence, { ino, epoch: 1_000_000 }],
      [Msg.ChunkFenceBelow, { epoch: 1_000_000 }],
      [Msg.ChunkTruncate, { key, len: 0 }],
      [Msg.ChunkVersion, { key, ver: 0 }],
      [Msg.ChunkList, {}],
      [Msg.NodeStats, {}],
    ];
    for (const [type, meta] of cases) expect((await ask(node, type, meta)).status).toBe(EPERM);
    expect(node.ws.readyState).toBe(node.ws.OPEN);
    expect((await owner.readFile('/f')).equals(data)).toBe(true);
  });
});
