/**
 * Issue 9, items 1, 2, 5, 6: least privilege between roles, tried as a hostile peer would, against real processes.
 * The manager runs with three secrets (client, node, operator) and --max-node-memory; each test holds one secret and
 * tries to do what its role may not: the operator changes nothing, a node with the client secret is refused, a duplicate
 * live id is refused while the real peer keeps working, a client claiming to be the manager is refused by nodes, a client
 * cannot delete or fence chunks, a frame altered in flight on ws:// closes the link, TLS negotiates only ECDHE-AEAD,
 * and weak or exposed secrets are refused at startup.
 */
import { execFileSync, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { chmodSync, writeFileSync } from 'fs';
import { join } from 'path';
import WebSocket, { WebSocketServer } from 'ws';
import { PoolClient } from '../../src/client/pool-client';
import { Errno, FsError } from '../../src/errors';
import { F_RDLCK, F_WRLCK, LOCK_EX, LOCK_NB } from '../../src/posix';
import { nodeAccessKey } from '../../transport/auth';
import { decodeFrame, encodeFrame, FrameKind, Msg } from '../../transport';
import { defined } from '../helpers/defined';
import { killAll, mempool, mempoolSync, Proc, tempDir } from '../helpers/procs';
import { expectClosed, otherIdentity, rawConnect, rawHandshake, rawRequest } from '../helpers/raw-ws';

const MiB = 1024 * 1024;
const CLIENT = `client-${randomBytes(16).toString('base64url')}`;
const NODE = `node-${randomBytes(16).toString('base64url')}`;
const OPERATOR = `operator-${randomBytes(16).toString('base64url')}`;

let dir: string;
let files: { client: string; node: string; operator: string };
let manager: Proc;
let url: string;
let nodes: Proc[] = [];
let nodeUrls: string[] = [];
let client: PoolClient;

/** A secret file of mode 0600 holding text. */
function secretFile(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text + '\n', { mode: 0o600 });
  return f;
}

/** The errno a promise rejects with (or 'ok'). */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof FsError ? err.code : String(err);
  }
}

beforeAll(async () => {
  dir = tempDir('mempool-hostile-roles-');
  files = { client: secretFile('client', CLIENT), node: secretFile('node', NODE), operator: secretFile('operator', OPERATOR) };
  manager = mempool([
    'manager',
    '--listen',
    '127.0.0.1:0',
    '--client-secret-file',
    files.client,
    '--node-secret-file',
    files.node,
    '--operator-secret-file',
    files.operator,
    '--max-node-memory',
    '32MiB',
  ]);
  url = defined((await manager.waitFor(/listening on (ws:\/\/\S+)/))[1], 'the manager URL');
  nodes = [0, 1].map(() => mempool(['node', '--manager', url, '--memory', '64MiB', '--secret-file', files.node]));
  nodeUrls = await Promise.all(nodes.map(async (n) => defined((await n.waitFor(/serving .* on (ws:\/\/\S+)/))[1], 'a node URL')));
  client = await PoolClient.connect(url, { secret: CLIENT, name: 'real-client', connectTimeoutMs: 10_000 });
  await client.mkdir('/d');
  await client.writeFile('/d/acked', Buffer.from('acknowledged before the impostors came'));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await killAll();
});

describe('roles are proven by the secret held', () => {
  it('the operator secret reads status, statfs and quotas but changes nothing', async () => {
    const op = await PoolClient.connect(url, { secret: OPERATOR, role: 'operator', connectTimeoutMs: 10_000 });
    try {
      expect((await op.status()).nodes).toHaveLength(2);
      expect(await outcome(op.statfs())).toBe('ok');
      expect(await outcome(op.quotaGet('/d'))).toBe('ok');
      expect(await outcome(op.quotaSet('/d', { bytes: MiB }))).toBe('EPERM');
      expect(await outcome(op.quotaClear('/d'))).toBe('EPERM');
      expect(await outcome(op.mkdir('/by-operator'))).toBe('EPERM');
      expect(await outcome(op.writeFile('/by-operator', Buffer.from('x')))).toBe('EPERM');
      expect(await outcome(op.unlink('/d/acked'))).toBe('EPERM');
    } finally {
      await op.close();
    }
    expect((await client.readFile('/d/acked')).toString()).toBe('acknowledged before the impostors came');
    // quota set is a client call
    expect(await outcome(client.quotaSet('/d', { bytes: 64 * MiB }))).toBe('ok');
    expect(await outcome(client.quotaClear('/d'))).toBe('ok');
  });

  it('a secret proves only its own role: the operator secret as a client, the client secret as an operator, are refused', async () => {
    expect(await outcome(PoolClient.connect(url, { secret: OPERATOR, connectTimeoutMs: 10_000 }))).toBe('EACCES');
    expect(await outcome(PoolClient.connect(url, { secret: CLIENT, role: 'operator', connectTimeoutMs: 10_000 }))).toBe('EACCES');
  });

  it('a memory node holding the client secret (not the node secret) is refused by the manager', async () => {
    const node = mempool(['node', '--manager', url, '--memory', '16MiB', '--secret-file', files.client]);
    expect(await node.exited).toBe(1);
    expect(node.output()).toMatch(/authentication failed: wrong or missing secret for role node/);
    expect((await client.status()).nodes).toHaveLength(2);
  });

  it('--max-node-memory caps what a node declares', async () => {
    const st = await client.status();
    expect(st.nodes.map((n) => n.capacity)).toEqual([32 * MiB, 32 * MiB]);
    expect(st.capacity).toBe(64 * MiB);
    expect(manager.output()).toMatch(/declared 67108864 bytes; counted as 33554432 \(--max-node-memory\)/);
  });
});

describe('memory nodes take commands only from the manager', () => {
  it('a peer claiming to be the manager with the client secret (or the node-access key) is refused; the node secret is accepted', async () => {
    for (const secret of [CLIENT, nodeAccessKey(CLIENT), OPERATOR]) {
      const c = await rawConnect(defined(nodeUrls[0], 'node 0'));
      const r = await rawHandshake(c, secret, { role: 'manager' });
      expect(r.status).toBe(13);
      expect(String(r.meta.message)).toMatch(/wrong or missing secret for role manager/);
      await expectClosed(c);
    }
    const ok = await rawConnect(defined(nodeUrls[0], 'node 0'));
    expect((await rawHandshake(ok, NODE, { role: 'manager' })).status).toBe(0);
    ok.ws.close();
  });

  it('a client cannot send ChunkDelete, ChunkFence, ChunkVersion or ChunkTruncate to a node (EPERM), and its data stays', async () => {
    const c = await rawConnect(defined(nodeUrls[0], 'node 0'));
    expect((await rawHandshake(c, nodeAccessKey(CLIENT))).status).toBe(0);
    const loc = await client.locate('/d/acked');
    const key = `${(await client.getattr('/d/acked')).ino}:${defined(loc[0], 'chunk 0').index}`;
    expect((await rawRequest(c, Msg.ChunkDelete, 1, { keys: [key] })).status).toBe(1);
    expect((await rawRequest(c, Msg.ChunkFence, 2, { ino: 1, epoch: 2 ** 40 })).status).toBe(1);
    expect((await rawRequest(c, Msg.ChunkFenceBelow, 3, { epoch: 2 ** 40 })).status).toBe(1);
    expect((await rawRequest(c, Msg.ChunkVersion, 4, { key, ver: 0 })).status).toBe(1);
    expect((await rawRequest(c, Msg.ChunkTruncate, 5, { key, len: 0 })).status).toBe(1);
    expect((await rawRequest(c, Msg.NodeAccess, 6, { sealed: 'AAAA' })).status).toBe(1);
    c.ws.close();
    expect((await client.readFile('/d/acked')).toString()).toBe('acknowledged before the impostors came');
  });
});

describe('ids belong to the process that holds them', () => {
  it('a node reusing a live node id is refused; the real node stays up and keeps its data', async () => {
    const real = defined((await client.status()).nodes[0], 'a node');
    const c = await rawConnect(url);
    const r = await rawHandshake(c, NODE, { role: 'node', id: real.id, url: 'ws://127.0.0.1:9', capacity: MiB }, [], otherIdentity());
    expect(r.status).toBe(13);
    expect(String(r.meta.message)).toMatch(new RegExp(`node id ${real.id} is in use by another process`));
    const after = await client.status();
    expect(after.nodes.find((n) => n.id === real.id)).toMatchObject({ alive: true, url: real.url });
    await client.writeFile('/d/after-node-impostor', Buffer.alloc(3 * MiB, 7));
    expect((await client.readFile('/d/after-node-impostor')).equals(Buffer.alloc(3 * MiB, 7))).toBe(true);
  });

  it('a client reusing a live client id is refused; the real client keeps its leases and acknowledged writes', async () => {
    const me = defined(
      (await client.status()).clientDetails.find((c) => c.name === 'real-client'),
      'the real client',
    );
    await client.writeFile('/d/mine', Buffer.from('written and acknowledged'));
    const c = await rawConnect(url);
    const r = await rawHandshake(c, CLIENT, { role: 'client', id: me.id, name: 'impostor' }, [], otherIdentity());
    expect(r.status).toBe(13);
    expect(String(r.meta.message)).toMatch(new RegExp(`client id ${me.id} is in use by another process`));
    // Without the identity key's signature the id is not proven either.
    const c2 = await rawConnect(url);
    const r2 = await rawHandshake(c2, CLIENT, { role: 'client', id: me.id, key: otherIdentity().publicKey }, [], otherIdentity());
    expect(r2.status).toBe(13);
    expect((await client.readFile('/d/mine')).toString()).toBe('written and acknowledged');
    const other = await PoolClient.connect(url, { secret: CLIENT, name: 'other', connectTimeoutMs: 10_000 });
    try {
      expect((await other.readFile('/d/mine')).toString()).toBe('written and acknowledged');
    } finally {
      await other.close();
    }
  });
});

describe('locks are on open files', () => {
  it('a client cannot lock, test or reclaim a lock on a file it has not open, nor a POSIX write lock on one open read-only', async () => {
    await client.writeFile('/d/root-private', Buffer.from('root only'), 0o600);
    await client.writeFile('/d/public', Buffer.from('anyone reads'), 0o644);
    const priv = (await client.getattr('/d/root-private')).ino;
    const pub = (await client.getattr('/d/public')).ino;
    const held = await client.open('/d/root-private', 2);
    await client.flock(held, LOCK_EX); // the real client's lock: the thief must not learn of it, nor touch it
    try {
      const c = await rawConnect(url);
      expect((await rawHandshake(c, CLIENT, { role: 'client', id: 'lock-thief' })).status).toBe(0);
      const as1000 = { cred: { uid: 1000, gid: 1000, groups: [] } };
      const lock = (ino: number, flock: boolean, type: number) => ({ ino, owner: '7', flock, type, start: 0, end: 9, pid: 7, wait: false, ...as1000 });
      let id = 1;
      const status = async (type: number, meta: Record<string, unknown>) => (await rawRequest(c, type, id++, meta)).status;
      // no handle: EBADF, whatever the file's mode, for a lock, a test and a reclaim
      expect(await status(Msg.LockSet, lock(priv, true, F_WRLCK))).toBe(Errno.EBADF);
      expect(await status(Msg.LockSet, lock(priv, false, F_RDLCK))).toBe(Errno.EBADF);
      expect(await status(Msg.LockGet, lock(priv, false, F_WRLCK))).toBe(Errno.EBADF);
      const reclaim = await rawRequest(c, Msg.LockReclaim, id++, { locks: [{ ino: priv, owner: '7', flock: true, type: F_WRLCK, start: 0, end: 9, pid: 7 }], ...as1000 });
      expect(reclaim.meta.lost).toEqual([0]);
      // no permission: the open is refused, so is the lock after it
      expect(await status(Msg.Open, { path: '/d/root-private', flags: 0, ...as1000 })).toBe(Errno.EACCES);
      expect(await status(Msg.LockSet, lock(priv, true, F_RDLCK))).toBe(Errno.EBADF);
      // open read-only: a POSIX write lock is EBADF as fcntl(2) answers; a read lock and a flock are fine
      expect(await status(Msg.Open, { path: '/d/public', flags: 0, ...as1000 })).toBe(0);
      expect(await status(Msg.LockSet, lock(pub, false, F_WRLCK))).toBe(Errno.EBADF);
      expect(await status(Msg.LockSet, lock(pub, false, F_RDLCK))).toBe(0);
      expect(await status(Msg.LockSet, lock(pub, true, F_WRLCK))).toBe(0);
      c.ws.close();
      // the real client's lock stands
      const other = await PoolClient.connect(url, { secret: CLIENT, name: 'other-locker', connectTimeoutMs: 10_000 });
      try {
        const fh = await other.open('/d/root-private', 0);
        expect(await outcome(other.flock(fh, LOCK_EX | LOCK_NB))).toBe('EAGAIN');
        await other.release(fh);
      } finally {
        await other.close();
      }
    } finally {
      await client.release(held);
    }
  });
});

/** A ws relay in front of target: forwards every message both ways; flips one byte of the first client message after the handshake when asked. */
async function relay(target: string, flip: boolean): Promise<{ url: string; upstreamClose: Promise<number>; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let resolveClose: (code: number) => void = () => undefined;
  const upstreamClose = new Promise<number>((r) => (resolveClose = r));
  wss.on('connection', (down: WebSocket) => {
    const up = new WebSocket(target, { perMessageDeflate: false });
    const queue: Buffer[] = [];
    let fromClient = 0;
    up.on('open', () => queue.splice(0).forEach((m) => up.send(m)));
    up.on('message', (m: Buffer) => down.send(m));
    up.on('close', (code: number) => {
      resolveClose(code);
      down.close(code === 1005 ? 1000 : code);
    });
    up.on('error', () => undefined);
    down.on('message', (m: Buffer) => {
      fromClient++;
      // message 1 is the authentication response; message 2 is the first frame under the session's MAC
      if (flip && fromClient === 2) {
        const at = m.indexOf('flipx');
        m[at + 4] = 'y'.charCodeAt(0);
      }
      if (up.readyState === WebSocket.OPEN) up.send(m);
      else queue.push(m);
    });
    down.on('close', () => up.close());
  });
  const port = (wss.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}`, upstreamClose, close: () => new Promise<void>((r) => wss.close(() => r())) };
}

describe('ws:// frames carry a MAC', () => {
  it('a relay that forwards faithfully works; one that flips a byte after the handshake gets the link closed and no answer', async () => {
    await client.writeFile('/flipx', Buffer.from('x'));
    const honest = await relay(url, false);
    const a = await rawConnect(honest.url);
    expect((await rawHandshake(a, CLIENT)).status).toBe(0);
    expect((await rawRequest(a, Msg.Getattr, 1, { path: '/flipx' })).status).toBe(0);
    a.ws.close();
    await honest.close();

    const evil = await relay(url, true);
    const b = await rawConnect(evil.url);
    expect((await rawHandshake(b, CLIENT)).status).toBe(0);
    b.send(encodeFrame(FrameKind.Request, Msg.Getattr, 1, 0, { path: '/flipx' }));
    expect(await evil.upstreamClose).toBe(1002);
    await expectClosed(b);
    // nothing answered the altered request (ENOENT for /flipy would mean the flip was accepted)
    expect(b.received.slice(2).map((m) => decodeFrame(m.subarray(0, m.length - 16)).type)).toEqual([]);
    expect(manager.output()).toMatch(/frame MAC does not match/);
    await evil.close();
  });
});

describe('TLS: forward-secret AEAD suites only; node URLs follow the manager scheme', () => {
  let tlsUrl: string;
  let port: string;
  let cert: string;
  let key: string;

  beforeAll(async () => {
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], {
      stdio: 'ignore',
    });
    const m = mempool(['manager', '--listen', '127.0.0.1:0', '--secret-file', files.client, '--tls-cert', cert, '--tls-key', key]);
    tlsUrl = defined((await m.waitFor(/listening on (wss:\/\/\S+)/))[1], 'the wss URL');
    port = defined(/:(\d+)$/.exec(tlsUrl)?.[1], 'the port');
  }, 30_000);

  /** True when openssl s_client completes a handshake with these arguments. */
  const negotiates = (args: string[]): boolean => {
    const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { input: '', encoding: 'utf8', timeout: 20_000 });
    return r.status === 0 && /Cipher is (?!\(NONE\))/.test(r.stdout);
  };

  it('openssl s_client: non-ECDHE and non-AEAD suites fail, ECDHE-AEAD and TLS 1.3 succeed', () => {
    expect(negotiates(['-tls1_2', '-cipher', 'AES128-SHA256'])).toBe(false);
    expect(negotiates(['-tls1_2', '-cipher', 'AES128-GCM-SHA256'])).toBe(false);
    expect(negotiates(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA'])).toBe(false);
    expect(negotiates(['-tls1_1'])).toBe(false);
    expect(negotiates(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])).toBe(true);
    expect(negotiates(['-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'])).toBe(true);
    expect(negotiates(['-tls1_3'])).toBe(true);
  });

  it('a wss:// manager refuses a node that registers a ws:// URL, with a clear error', async () => {
    const node = mempool(['node', '--manager', tlsUrl, '--memory', '16MiB', '--secret-file', files.client, '--tls-ca', cert]);
    expect(await node.exited).toBe(1);
    expect(node.output()).toMatch(/memory node url ws:\/\/\S+ does not match the manager's wss:\/\/ scheme/);
  });
});

describe('secrets at startup', () => {
  it('a secret under 128 bits is refused, from the environment or a file', () => {
    const env = mempoolSync(['manager', '--listen', '127.0.0.1:0'], { MEMPOOL_SECRET: 'short-secret' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/the secret from MEMPOOL_SECRET is too short \(12 characters\): at least 128 bits/);
    const f = secretFile('short', 'abcdef0123456789abcdef');
    const file = mempoolSync(['node', '--manager', url, '--memory', '16MiB', '--secret-file', f]);
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/is too short \(22 characters\)/); // 22 hex digits are 88 bits
  });

  it('a secret file readable by group or others is refused, naming the file and chmod 600', () => {
    const f = secretFile('loose', CLIENT);
    chmodSync(f, 0o644);
    const r = mempoolSync(['status', url, '--secret-file', f]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`mempool: secret file ${f} is accessible by group or others (mode 0644): run  chmod 600 ${f}`);
  });
});
