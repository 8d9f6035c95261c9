/**
 * Security and robustness of the transport against real processes: the shared
 * secret, hostile frames over raw ws connections, the non-loopback rule,
 * ping/pong liveness and reconnection with backoff.
 */
import { createHash, randomBytes } from 'crypto';
import { createServer } from 'net';
import { PoolClient, FsError } from '../../src';
import { encodeFrame, FrameKind, HEADER_SIZE, MAGIC } from '../../transport/frame';
import { Msg } from '../../transport/messages';
import { killAll, mempool, mempoolSync, Cluster, Proc, startCluster } from '../helpers/procs';
import { defined } from '../helpers/defined';
import { capKey, issueCap } from '../../src/security/capability';
import { nodeAccessKey } from '../../transport/auth';
import { expectClosed, rawAuthenticated, rawConnect, RawConn, rawHandshake, rawRequest } from '../helpers/raw-ws';

const SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
/** What clients prove to memory nodes: the node-access key derived from the client secret. */
const NODE_KEY = nodeAccessKey(SECRET);
const PING_MS = 1000;
const MIB = 1024 * 1024;
/** The manager's and memory node's ws maxPayload (src/manager/manager.ts, src/node/memory-node.ts). */
const MANAGER_MAX_PAYLOAD = 40 * MIB;
const NODE_MAX_PAYLOAD = 65 * MIB;

let cluster: Cluster;
let good: PoolClient;
let nodeUrls: string[] = [];
/** URL of memory node i (read from its output in beforeAll). */
const nodeUrl = (i: number) => defined(nodeUrls[i], `memory node ${i} URL`);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const alive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
/** A write capability for chunk 0 of a file no one has (made here with the node secret, as the manager would). */
const RAW_KEY = '999999:0';
const rawCap = () => issueCap(capKey(SECRET), { ino: 999999, gen: 0, first: 0, count: 1, write: true, epoch: 0, exp: Date.now() + 600_000 });

/** Writes a multi-chunk file through a fresh authenticated client, reads it back, and checks it byte-exact. */
async function roundTrip(name: string): Promise<void> {
  const data = randomBytes(2 * MIB + 12345);
  const c = await PoolClient.connect(cluster.url, { secret: SECRET, connectTimeoutMs: 5000 });
  try {
    await c.writeFile(name, data);
    expect(sha(await c.readFile(name))).toBe(sha(data));
  } finally {
    await c.close();
  }
  // The long-lived client still works too.
  expect(sha(await good.readFile(name))).toBe(sha(data));
}

async function connectExpectingRefusal(secret: string): Promise<FsError> {
  try {
    const c = await PoolClient.connect(cluster.url, { secret, connectTimeoutMs: 5000 });
    await c.close();
  } catch (err) {
    return err as FsError;
  }
  throw new Error('connection with a bad secret was accepted');
}

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2, memory: '128MiB', secret: SECRET, env: { MEMPOOL_PING_MS: String(PING_MS) } });
  nodeUrls = cluster.nodes.map((n) => defined(n.output().match(/serving .* on (wss?:\/\/\S+)/)?.[1], 'a memory node URL'));
  good = await PoolClient.connect(cluster.url, { secret: SECRET, connectTimeoutMs: 5000 });
  await good.mkdir('/keep');
  await good.writeFile('/keep/a', randomBytes(1.5 * MIB));
  await good.writeFile('/keep/b', Buffer.from('hello'));
}, 30_000);

afterAll(async () => {
  await good?.close();
  await killAll();
});

describe('shared secret', () => {
  it('refuses a wrong or missing secret with EACCES, logs it, and changes nothing', async () => {
    const before = { listing: (await good.readdir('/keep')).map((e) => e.name).sort(), a: sha(await good.readFile('/keep/a')), status: await good.status() };

    const wrong = await connectExpectingRefusal('not-the-secret-for-tests-0123456789');
    expect(wrong).toBeInstanceOf(FsError);
    expect(wrong.errno).toBe(13);
    expect(wrong.message).toMatch(/EACCES: authentication failed: wrong or missing secret/);

    const none = await connectExpectingRefusal('');
    expect(none.errno).toBe(13);
    expect(none.message).toMatch(/authentication failed/);

    // A raw peer with a wrong proof that pipelines a namespace change right behind its answer: nothing of it is served.
    const raw = await rawConnect(cluster.url);
    const evil = encodeFrame(FrameKind.Request, Msg.Mkdir, 9, 0, { path: '/keep/evil', mode: 0o755, uid: 0, gid: 0 });
    const result = await rawHandshake(raw, 'wrong', { role: 'client', id: 'raw-test' }, [evil]);
    expect(result.status).toBe(13);
    const closed = await expectClosed(raw);
    expect(closed.code).toBe(4001);
    expect(closed.reason).toMatch(/authentication failed/);

    await cluster.manager.waitFor(/rejected connection from 127\.0\.0\.1:\d+: EACCES: authentication failed/, 5000);
    const rejections = cluster.manager.output().match(/rejected connection/g) ?? [];
    expect(rejections.length).toBeGreaterThanOrEqual(3);

    const after = { listing: (await good.readdir('/keep')).map((e) => e.name).sort(), a: sha(await good.readFile('/keep/a')), status: await good.status() };
    expect(after.listing).toEqual(['a', 'b']);
    expect(after.listing).toEqual(before.listing);
    expect(after.a).toBe(before.a);
    expect(after.status.files).toBe(before.status.files);
    expect(after.status.directories).toBe(before.status.directories);
    expect(after.status.used).toBe(before.status.used);
    expect(after.status.clients).toBe(before.status.clients);
    expect(after.status.nodes.map((n) => n.id).sort()).toEqual(before.status.nodes.map((n) => n.id).sort());
  });

  it('a memory node with a wrong secret exits non-zero saying authentication failed', async () => {
    const node = mempool(['node', '--manager', cluster.url, '--memory', '16MiB'], { MEMPOOL_SECRET: 'wrong-secret-for-tests-0123456789' });
    const code = await Promise.race([node.exited, sleep(10_000).then(() => 'still running')]);
    expect(code).toBe(1);
    expect(node.output()).toMatch(/^mempool: EACCES: authentication failed: wrong or missing secret for role node$/m);
    const st = await good.status();
    expect(st.nodes).toHaveLength(2);
    expect(st.capacity).toBe(2 * 128 * MIB);
  });
});

/** Hostile messages; each must close the connection that sent it. */
function hostileCases(maxPayload: number): Array<[string, (c: RawConn) => void]> {
  const header = (metaLen: number, dataLen: number, type: number = Msg.Getattr) => {
    const h = Buffer.alloc(HEADER_SIZE);
    h.writeUInt8(MAGIC, 0);
    h.writeUInt8(FrameKind.Request, 1);
    h.writeUInt16LE(type, 2);
    h.writeUInt32LE(1, 4);
    h.writeUInt32LE(metaLen, 12);
    h.writeUInt32LE(dataLen, 16);
    return h;
  };
  const tooBig = encodeFrame(FrameKind.Request, Msg.ChunkWrite, 1, 0, { key: '1.0', off: 0 }, Buffer.alloc(maxPayload + 1));
  return [
    ['random bytes', (c) => c.send(randomBytes(1000))],
    ['a truncated header', (c) => c.send(encodeFrame(FrameKind.Request, Msg.Getattr, 1, 0, { path: '/' }).subarray(0, 12))],
    ['huge length fields', (c) => c.send(Buffer.concat([header(0xffffffff, 0xffffffff), Buffer.from('{}')]))],
    ['a data length beyond the message', (c) => c.send(Buffer.concat([header(2, 0x7ffffff0), Buffer.from('{}'), randomBytes(100)]))],
    ['an unknown message type', (c) => c.send(encodeFrame(FrameKind.Request, 999, 1, 0, { path: '/' }))],
    ['a text frame', (c) => c.send('{"type":10,"path":"/"}')],
    // Built once, before any connection: a loaded test process must not spend the peer's ping interval building it after authenticating.
    ['a message above maxPayload', (c) => c.ws.send(tooBig)],
  ];
}

describe.each([
  ['manager', () => cluster.url, () => cluster.manager, MANAGER_MAX_PAYLOAD],
  ['memory node', () => nodeUrl(0), () => defined(cluster.nodes[0], 'memory node 0'), NODE_MAX_PAYLOAD],
])('malformed frames to the %s', (_name, url, proc, maxPayload) => {
  it('a properly authenticated raw connection is served (control)', async () => {
    const c = await rawAuthenticated(url(), _name === 'manager' ? SECRET : NODE_KEY);
    const reply = _name === 'manager' ? await rawRequest(c, Msg.Getattr, 1, { path: '/keep/b' }) : await rawRequest(c, Msg.ChunkRead, 1, { key: RAW_KEY, off: 0, len: 1, cap: rawCap() });
    expect(reply.status).toBe(0);
    if (_name === 'manager') expect((reply.meta.attr as { size: number }).size).toBe(5);
    else expect(reply.data.length).toBe(0);
    await sleep(200);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.close();
  });

  for (const [what, send] of hostileCases(maxPayload)) {
    it(`closes the connection on ${what}, after and before authentication, and keeps serving others`, async () => {
      const tooBig = what.includes('maxPayload');
      // The close completes only once the sender's tens of MiB have drained through the socket: seconds on a loaded machine.
      const closeWithinMs = tooBig ? 20_000 : 5000;
      const authed = await rawAuthenticated(url(), _name === 'manager' ? SECRET : NODE_KEY);
      send(authed);
      const a = await expectClosed(authed, closeWithinMs);
      // 1002 with the reason for a protocol violation; ws itself answers 1009 (message too big) above maxPayload.
      expect(a.code).toBe(tooBig ? 1009 : 1002);
      if (!tooBig) expect(a.reason).toMatch(/^protocol error: /);

      const unauthed = await rawConnect(url());
      send(unauthed);
      const u = await expectClosed(unauthed, closeWithinMs);
      // Before authentication anything but a valid AuthResponse is refused with 4001.
      expect(u.code).toBe(tooBig ? 1009 : 4001);

      expect(alive(proc())).toBe(true);
      await roundTrip(`/after-${_name.replace(' ', '-')}-${what.replace(/\W+/g, '-')}`);
    });
  }

  it('answers an errno and keeps the link for well-formed chunk data far beyond any chunk (off 2^40); refuses it before authentication', async () => {
    const authed = await rawAuthenticated(url(), _name === 'manager' ? SECRET : NODE_KEY);
    const r = await rawRequest(authed, Msg.ChunkWrite, 1, { key: '1.0', off: 2 ** 40 }, randomBytes(4096));
    // the manager serves no chunk data (ENOSYS); a memory node refuses the offset (EINVAL)
    expect(r.status).toBe(_name === 'manager' ? 38 : 22);
    expect(authed.ws.readyState).toBe(authed.ws.OPEN);
    authed.ws.close();
    const unauthed = await rawConnect(url());
    unauthed.send(encodeFrame(FrameKind.Request, Msg.ChunkWrite, 1, 0, { key: '1.0', off: 2 ** 40 }, randomBytes(4096)));
    expect((await expectClosed(unauthed)).code).toBe(4001);
    expect(alive(proc())).toBe(true);
  });

  it('logs why it closed hostile links', () => {
    const out = proc().output();
    const common = ['bad magic byte', 'shorter than the 20-byte header', 'metadata length 4294967295 exceeds', 'do not match the frame size'];
    for (const reason of [...common, 'unknown message type 999', 'text frame', 'Max payload size exceeded']) {
      expect(out).toMatch(new RegExp(`closing link to client raw-test: .*${reason}`));
    }
    for (const reason of [...common, 'expected an authentication response, got message type 999', 'text frame during handshake', 'Max payload size exceeded']) {
      expect(out).toMatch(new RegExp(`rejected connection from 127\\.0\\.0\\.1:\\d+: .*${reason}`));
    }
  });
});

describe('requests with valid framing but bad field types', () => {
  it('the manager closes the link on path: 123 (ProtocolError) and nothing else is harmed', async () => {
    const c = await rawAuthenticated(cluster.url, SECRET);
    c.send(encodeFrame(FrameKind.Request, Msg.Getattr, 1, 0, { path: 123 }));
    const closed = await expectClosed(c);
    expect(closed.code).toBe(1002);
    expect(closed.reason).toMatch(/protocol error: field "path" must be a string/);
    await cluster.manager.waitFor(/closing link to client raw-test: field "path" must be a string/, 2000);
    expect(sha(await good.readFile('/keep/b'))).toBe(sha(Buffer.from('hello')));
  });

  it('a well-typed but out-of-range or impossible request gets an errno and the link stays up (negative size EINVAL, 2^60 EFBIG)', async () => {
    const c = await rawAuthenticated(cluster.url, SECRET);
    const enoent = await rawRequest(c, Msg.Getattr, 1, { path: '/no/such/file' });
    expect(enoent.status).toBe(2);
    const notdir = await rawRequest(c, Msg.Mkdir, 2, { path: '/keep/b/sub', mode: 0o755, uid: 0, gid: 0 });
    expect(notdir.status).toBe(20);
    expect((await rawRequest(c, Msg.Truncate, 3, { path: '/keep/b', size: -1 })).status).toBe(22);
    expect((await rawRequest(c, Msg.Truncate, 4, { path: '/keep/b', size: 2 ** 60 })).status).toBe(27);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect((await good.getattr('/keep/b')).size).toBe(5);
    c.ws.close();
  });

  it('a memory node closes the link on key: 123 or off: "zero", and answers EINVAL for a read longer than any chunk', async () => {
    for (const meta of [
      { key: 123, off: 0, len: 10 },
      { key: '1.0', off: 'zero', len: 1 },
    ]) {
      const c = await rawAuthenticated(nodeUrl(1), NODE_KEY);
      c.send(encodeFrame(FrameKind.Request, Msg.ChunkRead, 1, 0, meta));
      expect((await expectClosed(c)).code).toBe(1002);
    }
    const c = await rawAuthenticated(nodeUrl(1), NODE_KEY);
    expect((await rawRequest(c, Msg.ChunkRead, 1, { key: '1.0', off: 0, len: 2 ** 40 })).status).toBe(22);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.close();
    expect(alive(defined(cluster.nodes[1], 'memory node 1'))).toBe(true);
    await roundTrip('/after-bad-fields');
  });

  it('a memory node answers EINVAL (and keeps the link) for a write past the pool chunk size but within the frame limit', async () => {
    const c = await rawAuthenticated(nodeUrl(1), NODE_KEY);
    const chunkSize = good.chunkSize;
    const r = await rawRequest(c, Msg.ChunkWrite, 1, { key: RAW_KEY, off: chunkSize - 10, cap: rawCap() }, randomBytes(4096));
    expect(r.status).toBe(22);
    expect(String(r.meta.message)).toMatch(/exceeds chunk size/);
    // NodeStats is the manager's to ask (least privilege): a client gets EPERM, and the link stays up
    expect((await rawRequest(c, Msg.NodeStats, 2, {})).status).toBe(1);
    expect((await rawRequest(c, Msg.ChunkRead, 3, { key: RAW_KEY, off: 0, len: 10, cap: rawCap() })).status).toBe(0);
    c.ws.close();
  });
});

describe('listeners', () => {
  it('refuse a non-loopback address without a secret', () => {
    const m = mempoolSync(['manager', '--listen', '0.0.0.0:0'], { MEMPOOL_SECRET: '' });
    expect(m.code).not.toBe(0);
    expect(m.stderr.trim()).toMatch(/^mempool: refusing to listen on 0\.0\.0\.0:0 without a secret: set --secret-file FILE or MEMPOOL_SECRET/);
    const n = mempoolSync(['node', '--manager', cluster.url, '--memory', '16MiB', '--listen', '0.0.0.0:0'], { MEMPOOL_SECRET: '' });
    expect(n.code).not.toBe(0);
    expect(n.stderr.trim()).toMatch(/^mempool: refusing to listen on 0\.0\.0\.0:0 without a secret/);
  });

  it('accept a non-loopback address with a secret', async () => {
    const m = mempool(['manager', '--listen', '0.0.0.0:0'], { MEMPOOL_SECRET: SECRET });
    await m.waitFor(/listening on ws:\/\/0\.0\.0\.0:\d+/, 10_000);
    await m.stop('SIGKILL');
  });
});

describe('liveness and reconnection', () => {
  it(`detects a SIGSTOPped memory node within ~2 ping intervals (${PING_MS} ms) and takes it back after SIGCONT`, async () => {
    const node = await cluster.addNode('32MiB');
    const id = (node.output().match(/mempool node (\S+) serving/) as RegExpMatchArray)[1];
    expect((await good.status()).nodes.find((n) => n.id === id)?.alive).toBe(true);

    node.child.kill('SIGSTOP');
    const t0 = Date.now();
    await cluster.manager.waitFor(new RegExp(`memory node ${id} left: no pong`), 4 * PING_MS + 2000);
    const detectMs = Date.now() - t0;
    // Between one and two intervals of silence (plus scheduling slack on a busy machine).
    expect(detectMs).toBeLessThan(2 * PING_MS + 1500);
    const st = await good.status();
    expect(st.nodes.find((n) => n.id === id)?.alive).toBe(false);
    expect(st.capacity).toBe(2 * 128 * MIB);
    console.log(`SIGSTOPped node detected down after ${detectMs} ms (ping interval ${PING_MS} ms)`);

    node.child.kill('SIGCONT');
    const deadline = Date.now() + 8000;
    while (!(await good.status()).nodes.find((n) => n.id === id)?.alive) {
      if (Date.now() > deadline) throw new Error(`node did not re-register after SIGCONT; output:\n${node.output()}`);
      await sleep(100);
    }
    expect((node.output().match(/registered with manager/g) ?? []).length).toBe(2);

    await node.stop('SIGKILL');
    await cluster.manager.waitFor(new RegExp(`memory node ${id} left: (?!no pong)`), 5000);
    expect((await good.status()).nodes.find((n) => n.id === id)?.alive).toBe(false);
    await roundTrip('/after-liveness');
  });

  it('a memory node started before its manager keeps retrying and registers once the manager is up', async () => {
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    const url = `ws://127.0.0.1:${port}`;
    const node = mempool(['node', '--manager', url, '--memory', '16MiB'], { MEMPOOL_SECRET: SECRET });
    await sleep(2500);
    expect(alive(node)).toBe(true);
    expect(node.output()).not.toMatch(/serving/);

    const manager = mempool(['manager', '--listen', `127.0.0.1:${port}`], { MEMPOOL_SECRET: SECRET });
    await manager.waitFor(/listening on/, 10_000);
    const t0 = Date.now();
    await node.waitFor(/serving 16\.0 MiB on ws:|serving 16 ?MiB on ws:|serving \S+ on ws:/, 5000);
    const registerMs = Date.now() - t0;
    expect(registerMs).toBeLessThan(3000); // retry backoff is capped at 2 s (+25% jitter)
    const st = mempoolSync(['status', url, '--json'], { MEMPOOL_SECRET: SECRET });
    expect(st.code).toBe(0);
    const status = JSON.parse(st.stdout) as { nodes: Array<{ alive: boolean; capacity: number }>; capacity: number };
    expect(status.nodes).toHaveLength(1);
    expect(status.nodes[0]?.alive).toBe(true);
    expect(status.capacity).toBe(16 * MIB);
    console.log(`node registered ${registerMs} ms after the late manager came up`);
    await Promise.all([node.stop('SIGKILL'), manager.stop('SIGKILL')]);
  });
});
