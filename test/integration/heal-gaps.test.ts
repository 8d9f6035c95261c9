/**
 * Replicas that heal, the corners: a manager killed between logging a replica change and setting its version on the
 * nodes comes back and the chunk is readable again, with R restored; repair makes exactly one copy per lost replica;
 * a drained node that left is no longer listed as draining, and one that registers again takes new chunks; data a
 * dead client wrote past the size it published is cut, so used is referenced bytes x replicas; a drain under a fio
 * verify workload on a real mount; a reader that still reaches a replica the manager replaced (network namespaces)
 * reads what another client wrote since, never the old replica.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import { createHash, randomBytes, randomUUID } from 'crypto';
import { mkdirSync, rmSync } from 'fs';
import { join, resolve } from 'path';
import { PoolClient, PoolStatus } from '../../src';
import { chunkKey } from '../../src/types';
import { O } from '../../src/posix';
import { Api, call, dial, nodeAccessKey, Peer } from '../../transport';
import { Cluster, killAll, mempool, Proc, startCluster, tempDir, TEST_MARK } from '../helpers/procs';
import { createNet, netnsAvailable, TestNet } from '../helpers/netns';
import { cliStatus, statusWhen } from '../helpers/status';
import { canMount } from '../helpers/mounts';
import { finishMountedPool, MountedPool, startMountedPool } from '../helpers/pool-fixture';
import { defined } from '../helpers/defined';

const MiB = 1024 * 1024;
const PING = { MEMPOOL_PING_MS: '500' };
const SECRET = 'heal-gaps-secret-0123456789abcdef';
const ENV = { ...PING, MEMPOOL_SECRET: SECRET };

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function alive(st: PoolStatus): number {
  return st.nodes.filter((n) => n.alive).length;
}

/** A bare client link to the manager or (toNode: with the key clients prove to nodes) a memory node, for a client that dies at a chosen point. */
function rawLink(url: string, toNode = false): Promise<Peer> {
  return dial(url, { secret: toNode ? nodeAccessKey(SECRET) : SECRET, hello: { role: 'client', id: randomUUID(), name: 'heal-gaps raw client' }, maxPayload: 64 * MiB });
}

/** How many placed chunks of the files name node `id` as a replica (Locate answers only live replicas: ask before it dies). */
async function replicasOn(url: string, client: PoolClient, paths: string[], id: string): Promise<number> {
  const link = await rawLink(url);
  try {
    let n = 0;
    for (const path of paths) {
      const ino = (await client.getattr(path)).ino;
      const r = await call(link, Api.Locate, { ino, first: 0, count: 4096, write: false });
      n += r.chunks.filter((c) => c.replicas.includes(id)).length;
    }
    return n;
  } finally {
    link.close('done');
  }
}

afterAll(async () => {
  await killAll();
});

describe('a manager killed between logging a replica change and setting its version', () => {
  let root = '';
  let cluster: Cluster | null = null;
  let manager: Proc | null = null;
  afterAll(async () => {
    await manager?.stop('SIGKILL');
    await cluster?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('after the restart the chunks read byte-exact and, once a node joins, underReplicatedChunks returns to 0', async () => {
    root = tempDir('mempool-heal-crash-');
    const dataDir = join(root, 'meta');
    mkdirSync(dataDir);
    const args = ['--replicas', '2', '--repair-after', '1', '--data-dir', dataDir];
    // R=2 on two nodes: when one dies its replicas are dropped (no room for a new one), each under a new version
    cluster = await startCluster({ nodes: 2, memory: '64MiB', replicas: 2, secret: SECRET, env: { ...PING, MEMPOOL_FAULT_CRASH_AFTER: 'ReplicaReplace' }, extraManagerArgs: args.slice(2) });
    manager = cluster.manager;
    const port = new URL(cluster.url).port;
    const files = new Map<string, string>();
    const client = await PoolClient.connect(cluster.url, { secret: SECRET });
    try {
      for (let i = 0; i < 4; i++) {
        const data = randomBytes(MiB + i * 300_000);
        await client.writeFile(`/c${i}`, data);
        files.set(`/c${i}`, sha256(data));
      }
    } finally {
      await client.close();
    }
    const victim = defined(cluster.nodes[0], 'node 0');
    victim.child.kill('SIGKILL');
    await victim.exited;
    // the repair logs the survivor alone under a new version, then the manager dies before telling the survivor
    expect(await manager.exited).toBe('SIGKILL');
    expect(manager.output()).toMatch(/fault injection: crashing after ReplicaReplace/);
    manager = mempool(['manager', '--listen', `127.0.0.1:${port}`, ...args], ENV);
    await manager.waitFor(/listening on/);
    await statusWhen(cluster.url, (s) => alive(s) === 1, 15_000, ENV);
    const reader = await PoolClient.connect(cluster.url, { secret: SECRET });
    try {
      for (const [path, hash] of files) expect(sha256(await reader.readFile(path))).toBe(hash);
      expect(manager.output()).toMatch(/serves again under a new version/);
      await cluster.addNode('64MiB');
      const st = await statusWhen(cluster.url, (s) => alive(s) === 2 && s.underReplicatedChunks === 0, 30_000, ENV);
      expect(st.underReplicatedChunks).toBe(0);
      const fresh = await PoolClient.connect(cluster.url, { secret: SECRET });
      for (const [path, hash] of files) expect(sha256(await fresh.readFile(path))).toBe(hash);
      await fresh.close();
    } finally {
      await reader.close();
    }
  }, 120_000);
});

describe('repair is counted exactly', () => {
  let cluster: Cluster | null = null;
  afterAll(async () => {
    await cluster?.stop();
  });

  test('killing a node makes exactly one copy per replica it held (status repair.copies)', async () => {
    cluster = await startCluster({ nodes: 3, memory: '96MiB', replicas: 2, secret: SECRET, env: PING, extraManagerArgs: ['--repair-after', '1'] });
    const client = await PoolClient.connect(cluster.url, { secret: SECRET });
    try {
      const paths: string[] = [];
      for (let i = 0; i < 8; i++) {
        await client.writeFile(`/x${i}`, randomBytes(MiB * (1 + (i % 3)) + i * 1000));
        paths.push(`/x${i}`);
      }
      const before = cliStatus(cluster.url, ENV);
      const victimId = defined(
        before.nodes.find((n) => n.chunks > 0),
        'a node holding chunks',
      ).id;
      const lost = await replicasOn(cluster.url, client, paths, victimId);
      expect(lost).toBeGreaterThan(0);
      const victim = defined(
        cluster.nodes.find((n) => n.output().includes(victimId)),
        'the victim process',
      );
      victim.child.kill('SIGKILL');
      await victim.exited;
      const st = await statusWhen(cluster.url, (s) => alive(s) === 2 && s.underReplicatedChunks === 0 && (s.repair?.pending ?? 1) === 0 && (s.repair?.active ?? 1) === 0, 30_000, ENV);
      expect(st.underReplicatedChunks).toBe(0);
      expect(st.repair?.copies).toBe(lost);
      expect(st.repairs).toBe(lost);
    } finally {
      await client.close();
    }
  }, 90_000);
});

describe('draining ends', () => {
  let cluster: Cluster | null = null;
  afterAll(async () => {
    await cluster?.stop();
  });

  test('a drained node that left is no longer draining; one that registers again takes new chunks', async () => {
    cluster = await startCluster({ nodes: 3, memory: '64MiB', replicas: 2, secret: SECRET, env: PING });
    const client = await PoolClient.connect(cluster.url, { secret: SECRET });
    try {
      for (let i = 0; i < 6; i++) await client.writeFile(`/d${i}`, randomBytes(MiB + i * 1000));
      const node = defined(
        cliStatus(cluster.url, ENV).nodes.find((n) => n.chunks > 0),
        'a node holding chunks',
      ).id;
      const drain = mempool(['drain', cluster.url, node], ENV);
      expect(await drain.exited).toBe(0);
      let st = cliStatus(cluster.url, ENV);
      expect(st.drains).toEqual([{ node, chunks: 0 }]); // still connected: drained, taking nothing new
      const proc = defined(
        cluster.nodes.find((n) => n.output().includes(node)),
        'the drained node process',
      );
      // its link drops (stopped past the manager's ping timeout): it left, and no drain is listed any more
      proc.child.kill('SIGSTOP');
      try {
        st = await statusWhen(cluster.url, (s) => s.nodes.find((n) => n.id === node)?.alive === false && (s.drains ?? []).length === 0, 30_000, ENV);
      } finally {
        proc.child.kill('SIGCONT');
      }
      expect(st.drains ?? []).toEqual([]);
      // it registers again under the same id: a fresh node, new chunks land there
      await statusWhen(cluster.url, (s) => s.nodes.find((n) => n.id === node)?.alive === true, 30_000, ENV);
      for (let i = 0; i < 12; i++) await client.writeFile(`/n${i}`, randomBytes(MiB));
      st = await statusWhen(cluster.url, (s) => (s.nodes.find((n) => n.id === node)?.chunks ?? 0) > 0, 10_000, ENV);
      expect(st.nodes.find((n) => n.id === node)?.chunks).toBeGreaterThan(0);
      expect(st.drains ?? []).toEqual([]);
    } finally {
      await client.close();
    }
  }, 120_000);
});

describe('data a dead client wrote past its published size', () => {
  let cluster: Cluster | null = null;
  afterAll(async () => {
    await cluster?.stop();
  });

  test('is cut once its lease is over: used = referenced bytes x replicas within a minute, the file reads as published', async () => {
    cluster = await startCluster({ nodes: 2, memory: '64MiB', replicas: 2, secret: SECRET, env: PING, extraManagerArgs: ['--lease-term', '5', '--reconcile-every', '2'] });
    const client = await PoolClient.connect(cluster.url, { secret: SECRET });
    try {
      await client.writeFile('/kept', randomBytes(MiB));
      const base = await statusWhen(cluster.url, (s) => s.used === 2 * MiB, 10_000, ENV);
      expect(base.used).toBe(2 * MiB);
      // a client publishes 1.5 MiB, writes 4 MiB of chunks to both replicas, and dies before publishing more
      const data = randomBytes(4 * MiB);
      const mgr = await rawLink(cluster.url);
      const nodes: Peer[] = [];
      try {
        const { attr } = await call(mgr, Api.Open, { path: '/dead', flags: O.CREAT | O.RDWR, mode: 0o644 });
        const { epoch } = await call(mgr, Api.LeaseAcquire, { ino: attr.ino, mode: 2 });
        await call(mgr, Api.Extend, { ino: attr.ino, end: 1.5 * MiB, epoch });
        const loc = await call(mgr, Api.Locate, { ino: attr.ino, first: 0, count: 4, write: true, epoch });
        expect(loc.chunks).toHaveLength(4);
        const links = new Map<string, Peer>();
        for (const n of loc.nodes) {
          const l = await rawLink(n.url, true);
          links.set(n.id, l);
          nodes.push(l);
        }
        for (const c of loc.chunks) {
          for (const id of c.replicas) {
            const key = chunkKey(attr.ino, c.index, loc.gen ?? 0);
            await call(defined(links.get(id), id), Api.ChunkWrite, { key, off: 0, epoch, ver: c.ver, cap: loc.cap }, data.subarray(c.index * MiB, (c.index + 1) * MiB));
          }
        }
        // while its lease runs (term 5 s) the data stays: it may still publish a larger size
        expect(cliStatus(cluster.url, ENV).used).toBe(2 * MiB + 8 * MiB);
      } finally {
        for (const l of [mgr, ...nodes]) l.terminate('the client dies');
      }
      const diedAt = Date.now();
      const st = await statusWhen(cluster.url, (s) => s.used === 2 * MiB + 3 * MiB, 60_000, ENV);
      expect(st.used).toBe(2 * MiB + 3 * MiB);
      console.log(`data past the size of a dead writer cut ${Date.now() - diedAt} ms after it died`);
      await cluster.manager.waitFor(/cutting data its dead writer left past its size/, 5000); // the log line may still be in the pipe
      const got = await client.readFile('/dead');
      expect(got.equals(data.subarray(0, 1.5 * MiB))).toBe(true);
      // growing the file again shows zeros, never the dead writer's bytes
      await client.truncate('/dead', 4 * MiB);
      const grown = await client.readFile('/dead');
      expect(grown.subarray(0, 1.5 * MiB).equals(data.subarray(0, 1.5 * MiB))).toBe(true);
      expect(grown.subarray(1.5 * MiB).equals(Buffer.alloc(2.5 * MiB))).toBe(true);
    } finally {
      await client.close();
    }
  }, 120_000);
});

const maybeMount = canMount() ? describe : describe.skip;
maybeMount('mempool drain under fio verify on a mount', () => {
  let pool: MountedPool | null = null;
  afterAll(async () => {
    const left = await finishMountedPool(pool);
    expect(left).toEqual({ mounts: [], pids: [] });
  });

  test('fio verifies, the drained node ends with 0 chunks, the drain shows progress', async () => {
    // a slow copy rate keeps the drain running while fio writes and verifies
    // default pings: a mount, fio and three nodes on a loaded machine must not see links flap
    pool = await startMountedPool('mempool-heal-fio-', { nodes: 3, memory: '160MiB', replicas: 2, extraManagerArgs: ['--repair-rate', '8MiB'] });
    const { mnt, cluster, env } = pool;
    const fioArgs = [
      '--name=drain',
      `--directory=${mnt}`,
      '--rw=randwrite',
      '--bs=16k',
      '--size=32m',
      '--numjobs=2',
      '--ioengine=psync',
      '--verify=crc32c',
      '--do_verify=1',
      '--verify_fatal=1',
      '--verify_state_save=0', // no state file in the working directory
      '--group_reporting',
    ];
    const fio = spawn('fio', fioArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    fio.stdout.on('data', (d: Buffer) => (out += d.toString()));
    fio.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const fioDone = new Promise<number | null>((res) => fio.on('exit', (code) => res(code)));
    try {
      const st0 = await statusWhen(cluster.url, (s) => s.nodes.every((n) => n.chunks >= 8), 60_000, env);
      const node = defined([...st0.nodes].sort((a, b) => b.chunks - a.chunks)[0], 'a node').id;
      expect(fio.exitCode).toBeNull(); // the drain starts under the running workload
      const drain = mempool(['drain', cluster.url, node], env);
      expect(await drain.exited).toBe(0);
      expect(drain.output()).toMatch(/draining .*: \d+\/\d+ chunks moved/);
      expect(drain.output()).toMatch(/holds no chunk any more/);
      const code = await fioDone;
      if (code !== 0) console.log(`fio:\n${out}\nmount:\n${pool.mount.output().slice(-6000)}\nmanager:\n${cluster.manager.output().slice(-6000)}`);
      expect(code).toBe(0);
      expect(out).not.toMatch(/verify: bad|crc32c: verify failed|err= *[1-9]/);
      // a node link that dropped under load may leave chunks short for a moment: repair brings them back
      const st = await statusWhen(cluster.url, (s) => s.nodes.find((n) => n.id === node)?.chunks === 0 && s.underReplicatedChunks === 0, 60_000, env);
      expect(st.nodes.find((n) => n.id === node)?.chunks).toBe(0);
      expect(st.drains?.find((d) => d.node === node)?.chunks).toBe(0);
      expect(st.underReplicatedChunks).toBe(0);
    } finally {
      if (fio.exitCode === null) fio.kill('SIGKILL');
      await fioDone;
    }
  }, 240_000);
});

const WORKLOAD = resolve(__dirname, '../../dist/test/helpers/heal-workload.js');
const netns = netnsAvailable();
(netns ? describe : describe.skip)('a replica the manager cannot reach but a reader can (network namespaces)', () => {
  let net: TestNet | null = null;
  const procs: Proc[] = [];
  let reader: ChildProcessWithoutNullStreams | null = null;
  afterAll(async () => {
    reader?.kill('SIGKILL');
    for (const p of procs) await p.stop('SIGKILL');
    net?.destroy();
  });

  test('after the manager replaced it and another client wrote, the reader reads the new data, never the old replica', async () => {
    net = createNet('hgap', ['mgr', 'n1', 'n2', 'n3', 'r', 'w'], 57);
    const host = (n: string) => defined(net!.hosts.get(n), n);
    const env = { ...PING, MEMPOOL_SECRET: SECRET };
    const manager = mempool(['manager', '--listen', `${host('mgr').ip}:0`, '--replicas', '2'], env, host('mgr').prefix);
    procs.push(manager);
    const url = defined((await manager.waitFor(/listening on (wss?:\/\/\S+)/))[1], 'the manager URL');
    const nodeIds = new Map<string, string>();
    for (const n of ['n1', 'n2', 'n3']) {
      const p = mempool(['node', '--manager', url, '--memory', '64MiB', '--listen', `${host(n).ip}:0`], env, host(n).prefix);
      procs.push(p);
      nodeIds.set(n, defined((await p.waitFor(/mempool node (\S+) serving .* on ws/))[1], `${n} id`));
    }
    const paths = Array.from({ length: 6 }, (_v, i) => `/s${i}`);
    const runPut = (tag: string) =>
      new Promise<Record<string, string>>((res, rej) => {
        const argv = [...host('w').prefix, process.execPath, WORKLOAD, 'put', url, tag, ...paths];
        const c = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env, [TEST_MARK]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('exit', (code) => (code === 0 ? res((JSON.parse(out.trim()) as { files: Record<string, string> }).files) : rej(new Error(`put exited ${code}: ${err}`))));
      });
    const v1 = await runPut('v1');
    const argv = [...host('r').prefix, process.execPath, WORKLOAD, 'reread', url, ...paths];
    reader = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env, [TEST_MARK]: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let wake: (() => void) | null = null;
    let buf = '';
    reader.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      wake?.();
    });
    let readerErr = '';
    reader.stderr.on('data', (d: Buffer) => (readerErr += d.toString()));
    const nextRead = async (n: number): Promise<Record<string, string>> => {
      const deadline = Date.now() + 60_000;
      while (lines.length < n) {
        if (Date.now() > deadline || reader!.exitCode !== null) throw new Error(`reader gave no read ${n}: ${readerErr}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 500);
        });
      }
      return (JSON.parse(defined(lines[n - 1], 'a read')) as { files: Record<string, string> }).files;
    };
    expect(await nextRead(1)).toEqual(v1); // the reader caches the chunks' locations, n1 among the replicas of most
    net.cut('mgr', 'n1');
    await manager.waitFor(new RegExp(`memory node ${defined(nodeIds.get('n1'), 'n1')} left`), 30_000);
    // another client rewrites every file: replicas on n1 (down for the manager) are replaced under new versions
    const v2 = await runPut('v2');
    reader.stdin.write('again\n');
    expect(await nextRead(2)).toEqual(v2);
    net.heal('mgr', 'n1');
  }, 180_000);
});
