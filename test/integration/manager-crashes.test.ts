/**
 * Regression tests for the two ways one client could stop the whole pool (issue 11):
 * a recall sent to a client killed with -9 after its lease ran out (an unhandled
 * rejection ended the manager), and a Locate near 2^53 (an endless loop).
 * The manager must stay up, keep answering, and log no stray rejection.
 */
import { spawn } from 'child_process';
import { resolve } from 'path';
import { PoolClient, O } from '../../src';
import { Msg } from '../../transport/messages';
import { FrameKind } from '../../transport/frame';
import { rawAuthenticated, rawRequest } from '../helpers/raw-ws';
import { Cluster, killAll, startCluster, TEST_MARK } from '../helpers/procs';
import { statusWhen } from '../helpers/status';

const SECRET = 'manager-crashes-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };
const INDEX = resolve(__dirname, '../../dist/src/index.js');

/** A separate process that opens path for writing through PoolClient, writes without flushing (so it holds a WRITE lease), says "ready" and waits to be killed. */
function writerProcess(url: string, path: string) {
  const script = `
    const { PoolClient, O } = require(${JSON.stringify(INDEX)});
    (async () => {
      const c = await PoolClient.connect(${JSON.stringify(url)}, { secret: ${JSON.stringify(SECRET)} });
      const fh = await c.open(${JSON.stringify(path)}, O.RDWR | O.CREAT);
      await c.write(fh, 0, Buffer.from('written by the client that dies'));
      console.log('ready ' + c.cacheStats().leases);
      setInterval(() => undefined, 1000);
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, [TEST_MARK]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<string>((res, rej) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/ready (\d+)/);
      if (m) res(m[1] as string);
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => rej(new Error(`writer exited: ${out}`)));
  });
  return { child, ready };
}

describe('the manager survives what used to crash it', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, secret: SECRET, extraManagerArgs: ['--lease-term', '1'] });
  });
  afterAll(async () => {
    await cluster?.stop();
    await killAll();
  });
  afterEach(() => {
    expect(cluster.manager.output()).not.toMatch(/unhandled rejection|crashed/);
    expect(cluster.manager.child.exitCode).toBeNull();
  });

  test('a WRITE holder killed with -9, then a second writer after the lease ran out: the manager stays up and the write succeeds', async () => {
    const w = writerProcess(cluster.url, '/dead-writer');
    expect(Number(await w.ready)).toBeGreaterThan(0);
    w.child.kill('SIGKILL');
    // Wait until the dead holder's lease term has passed: the recall then finds it both gone and expired.
    const st = await statusWhen(cluster.url, (s) => s.leases.held === 0 && s.clientDetails.every((c) => !c.connected), 20_000, ENV);
    expect(st.leases.held).toBe(0);
    // The term has ended; the manager's clock-skew margin (1 s) must pass too, so the recall meets an already expired lease.
    await new Promise((r) => setTimeout(r, 1500));

    const b = await PoolClient.connect(cluster.url, { secret: SECRET });
    try {
      const fh = await b.open('/dead-writer', O.RDWR);
      await b.write(fh, 0, Buffer.from('second writer'));
      await b.fsync(fh);
      await b.release(fh);
      expect((await b.readFile('/dead-writer')).subarray(0, 13).toString()).toBe('second writer');
    } finally {
      await b.close();
    }
    // Still serving new connections.
    const st2 = await statusWhen(cluster.url, () => true, 5000, ENV);
    expect(st2.files).toBeGreaterThanOrEqual(1);
  });

  test('Locate with a first chunk near 2^53 is an errno, and the manager keeps answering', async () => {
    const c = await PoolClient.connect(cluster.url, { secret: SECRET });
    const ino = c.inoOf(await c.create('/far'));
    await c.close();
    const conn = await rawAuthenticated(cluster.url, SECRET);
    try {
      for (const [id, write] of [
        [1, false],
        [2, true],
      ] as const) {
        const started = Date.now();
        const r = await rawRequest(conn, Msg.Locate, id, { ino, first: Number.MAX_SAFE_INTEGER - 10, count: 4096, write });
        expect(r.kind).toBe(FrameKind.Response);
        expect(r.status).toBe(27); // EFBIG
        expect(Date.now() - started).toBeLessThan(2000);
      }
      const ok = await rawRequest(conn, Msg.Getattr, 3, { path: '/far' });
      expect(ok.status).toBe(0);
    } finally {
      conn.ws.close();
    }
  });
});
