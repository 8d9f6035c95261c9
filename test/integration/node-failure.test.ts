/**
 * A memory node dies (kill -9) under a pool with two replicas: nothing is lost. Every file reads back
 * byte-exact from the surviving replica, through PoolClient and through a FUSE mount; new files are
 * written to the live nodes; status shows the node down; with R=1 the data only it held is an EIO,
 * never wrong bytes, and the other files are intact.
 */
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { PoolClient } from '../../src';
import { canMount, mountAt, mountsUnder, unmount } from '../helpers/mounts';
import { sha256 } from '../helpers/pool-model';
import { Cluster, killAll, Proc, startCluster, tempDir } from '../helpers/procs';
import { statusWhen } from '../helpers/status';
import { defined } from '../helpers/defined';

const MiB = 1024 * 1024;
const PING = { MEMPOOL_PING_MS: '500' };

afterAll(async () => {
  await killAll();
});

describe('a memory node killed with R=2', () => {
  let cluster: Cluster;
  let client: PoolClient;
  let mount: Proc | null = null;
  let dir = '';
  const files = new Map<string, string>();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, memory: '128MiB', replicas: 2, env: PING });
    client = await PoolClient.connect(cluster.url);
    for (let i = 0; i < 12; i++) {
      const data = randomBytes(Math.floor(MiB * (0.3 + i * 0.7)));
      await client.writeFile(`/f${i}`, data);
      files.set(`/f${i}`, sha256(data));
    }
    if (canMount()) {
      dir = tempDir('mempool-nodefail-');
      mount = await mountAt(cluster.url, dir, PING);
    }
  }, 60000);

  afterAll(async () => {
    await client?.close();
    if (mount) await unmount(mount, dir);
    await cluster?.stop();
    if (dir) expect(mountsUnder(dir).size).toBe(0);
  });

  test('every file reads back from the surviving replicas, new writes land on live nodes', async () => {
    // A client that read everything before the kill (so it knows the dead node's address) but caches almost nothing.
    const knowing = await PoolClient.connect(cluster.url, { cacheBytes: 256 * 1024 });
    for (const path of files.keys()) await knowing.readFile(path);
    const victim = defined(cluster.nodes[1], 'memory node 1');
    victim.child.kill('SIGKILL');
    await victim.exited;
    await statusWhen(cluster.url, (st) => st.nodes.filter((n) => n.alive).length === 2, 10000);
    const fresh = await PoolClient.connect(cluster.url);
    try {
      for (const [path, hash] of files) {
        expect(sha256(await knowing.readFile(path))).toBe(hash); // retries on the other replica
        expect(sha256(await client.readFile(path))).toBe(hash);
        expect(sha256(await fresh.readFile(path))).toBe(hash); // one that never did
      }
      // overwriting chunks one of whose replicas is dead goes to the live one
      const again = randomBytes(6 * MiB + 3);
      const fh = await knowing.create('/f11');
      await knowing.write(fh, 0, again);
      await knowing.release(fh);
      expect(sha256(await fresh.readFile('/f11'))).toBe(sha256(again));
      files.set('/f11', sha256(again));
      const more = randomBytes(5 * MiB + 7);
      await client.writeFile('/after', more);
      expect(sha256(await fresh.readFile('/after'))).toBe(sha256(more));
    } finally {
      await fresh.close();
      await knowing.close();
    }
    if (mount) for (const [path, hash] of files) expect(sha256(readFileSync(dir + path))).toBe(hash);
  });
});

describe('re-replication after a node dies (R=2, --repair-after 1)', () => {
  test('chunks that lost a replica get a new one; then a second node can die and nothing is lost', async () => {
    const cluster = await startCluster({ nodes: 3, memory: '128MiB', replicas: 2, env: PING, extraManagerArgs: ['--repair-after', '1'] });
    const client = await PoolClient.connect(cluster.url);
    try {
      const files = new Map<string, string>();
      for (let i = 0; i < 8; i++) {
        const data = randomBytes(Math.floor(MiB * (0.5 + i * 0.9)));
        await client.writeFile(`/r${i}`, data);
        files.set(`/r${i}`, sha256(data));
      }
      const [first, second] = [defined(cluster.nodes[0], 'memory node 0'), defined(cluster.nodes[1], 'memory node 1')];
      first.child.kill('SIGKILL');
      await first.exited;
      const st = await statusWhen(cluster.url, (s) => s.nodes.filter((n) => n.alive).length === 2 && s.repairs > 0, 15000);
      const live = new Set(st.nodes.filter((n) => n.alive).map((n) => n.id));
      // wait until every chunk has two live replicas again
      const deadline = Date.now() + 15000;
      for (;;) {
        let short = 0;
        for (const path of files.keys()) for (const c of await client.locate(path)) if (c.replicas.filter((id) => live.has(id)).length < 2) short++;
        if (short === 0) break;
        if (Date.now() > deadline) throw new Error(`${short} chunks still have fewer than 2 live replicas`);
        await new Promise((r) => setTimeout(r, 300));
      }
      second.child.kill('SIGKILL');
      await second.exited;
      await statusWhen(cluster.url, (s) => s.nodes.filter((n) => n.alive).length === 1, 10000);
      const reader = await PoolClient.connect(cluster.url);
      for (const [path, hash] of files) expect(sha256(await reader.readFile(path))).toBe(hash);
      await reader.close();
    } finally {
      await client.close();
      await cluster.stop();
    }
  });
});

describe('a memory node killed with R=1', () => {
  test('files on the dead node fail with EIO, the others read back intact', async () => {
    const cluster = await startCluster({ nodes: 2, memory: '64MiB', replicas: 1, env: PING });
    const client = await PoolClient.connect(cluster.url);
    try {
      const files = new Map<string, Buffer>();
      for (let i = 0; i < 10; i++) {
        const data = randomBytes(200 * 1024 + i);
        await client.writeFile(`/g${i}`, data);
        files.set(`/g${i}`, data);
      }
      const victim = defined(cluster.nodes[0], 'memory node 0');
      victim.child.kill('SIGKILL');
      await victim.exited;
      await statusWhen(cluster.url, (st) => st.nodes.filter((n) => n.alive).length === 1, 10000);
      let lost = 0;
      const reader = await PoolClient.connect(cluster.url); // no cached pages: every read goes to the nodes
      for (const [path, data] of files) {
        try {
          expect((await reader.readFile(path)).equals(data)).toBe(true);
        } catch (err) {
          expect((err as { errno?: number }).errno).toBe(5); // EIO, never wrong bytes
          lost++;
        }
      }
      await reader.close();
      expect(lost).toBeGreaterThan(0);
      expect(lost).toBeLessThan(files.size);
    } finally {
      await client.close();
      await cluster.stop();
    }
  });
});
