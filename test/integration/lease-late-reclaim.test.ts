/**
 * Issue 10, lease grace: a writer holding dirty cached pages across a manager restart that comes back only after the
 * grace (term + margin) has lost its lease. Another client wrote the files meanwhile; the late writer's pages must
 * never land over that: the memory nodes refuse its writes (fenced below the new run's epoch floor), the manager
 * refuses its reclaim, the writer's fsync reports EIO, the loss is logged on both sides, and the files hold exactly
 * the other client's bytes.
 */
import { createServer, Server, Socket, connect } from 'net';
import { rmSync } from 'fs';
import { join } from 'path';
import { O, PoolClient } from '../../src';
import { Cluster, killAll, mempool, Proc, startCluster, tempDir } from '../helpers/procs';

const SECRET = 'late-reclaim-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };

/** A TCP relay to target that the test can cut (every connection dropped, new ones refused) and restore. */
class Relay {
  private server: Server | null = null;
  private readonly open = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((s) => {
      if (this.cut) return void s.destroy();
      const up = connect(this.target.port, this.target.host);
      this.open.add(s);
      this.open.add(up);
      const drop = () => {
        s.destroy();
        up.destroy();
        this.open.delete(s);
        this.open.delete(up);
      };
      s.on('error', drop).on('close', drop);
      up.on('error', drop).on('close', drop);
      s.pipe(up);
      up.pipe(s);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  /** Drops every relayed connection and refuses new ones. */
  cutOff(): void {
    this.cut = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  restore(): void {
    this.cut = false;
  }

  async stop(): Promise<void> {
    this.cutOff();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe('a lease holder that comes back after the grace', () => {
  let root: string;
  let cluster: Cluster;
  let manager: Proc;
  let relay: Relay;
  const clients: PoolClient[] = [];

  beforeAll(async () => {
    root = tempDir('mempool-late-');
    cluster = await startCluster({ nodes: 2, secret: SECRET, chunkSize: '64KiB', extraManagerArgs: ['--data-dir', join(root, 'meta')] });
    manager = cluster.manager;
    const u = new URL(cluster.url);
    relay = new Relay({ host: u.hostname, port: Number(u.port) });
    await relay.start();
  }, 60_000);

  afterAll(async () => {
    await relay?.stop();
    for (const c of clients) await c.close().catch(() => undefined);
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  test('its cached pages never overwrite the newer data: nodes and manager refuse them, fsync reports EIO, the loss is logged', async () => {
    const logs: string[] = [];
    const late = await PoolClient.connect(`ws://127.0.0.1:${relay.port}`, { secret: SECRET, log: (m) => logs.push(m) });
    clients.push(late);
    const fhs: number[] = [];
    for (const name of ['/f1', '/f2']) {
      const fh = await late.open(name, O.RDWR | O.CREAT);
      await late.write(fh, 0, Buffer.alloc(10_000, 0x61));
      await late.fsync(fh); // the chunk is placed and its location known: later write-backs go straight to the nodes
      await late.write(fh, 5_000, Buffer.alloc(20_000, 0x41)); // cached, not flushed
      fhs.push(fh);
    }
    expect(late.cacheStats().dirtyBytes).toBeGreaterThan(0);

    // The writer is cut off from the manager; the manager crashes and comes back; the grace passes.
    relay.cutOff();
    await manager.stop('SIGKILL');
    manager = mempool(['manager', '--listen', `127.0.0.1:${new URL(cluster.url).port}`, '--chunk-size', '64KiB', '--data-dir', join(root, 'meta')], ENV);
    await manager.waitFor(/listening on/, 30_000);
    const other = await PoolClient.connect(cluster.url, { secret: SECRET });
    clients.push(other);
    const newer = Buffer.alloc(40_000, 0x42);
    for (const name of ['/f1', '/f2']) await other.writeFile(name, newer); // waits out the grace (term + margin)
    await other.close();
    clients.pop();

    // f1: the late writer flushes while still cut off from the manager: the memory nodes refuse its old epoch.
    const [fh1, fh2] = fhs as [number, number];
    await expect(late.fsync(fh1)).rejects.toMatchObject({ code: 'EIO' });
    // f2: it reconnects; its reclaim is refused (the grace is over), its pages are dropped, fsync reports EIO.
    relay.restore();
    await manager.waitFor(/reclaimed too late or in conflict/, 30_000);
    await expect(late.fsync(fh2)).rejects.toMatchObject({ code: 'EIO' });
    expect(logs.join('\n')).toMatch(/lease on inode \d+ lost .*unflushed writes discarded/);
    await late.release(fh1);
    await late.release(fh2);

    const reader = await PoolClient.connect(cluster.url, { secret: SECRET });
    clients.push(reader);
    for (const name of ['/f1', '/f2']) expect((await reader.readFile(name)).equals(newer)).toBe(true);
  }, 120_000);
});
