/**
 * `npm run bench -- heal`: replicas that heal.
 *  - placement: CPU µs per chunk (R=2) at 10, 100 and 1,000 nodes;
 *  - time to restore R=2 after losing a memory node holding BENCH_HEAL_MIB (default 1024) MiB, and the copy rate;
 *  - drain throughput: every chunk of one node moved to the others;
 *  - latency p50/p99/max of small writes with fsync and reads while one client↔node link is cut (network namespaces;
 *    skipped without them).
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { resolve } from 'path';
import { PoolClient } from '../src';
import { PoolStatus } from '../src/types';
import { placeChunk, PlacementCandidate } from '../src/manager/placement';
import { createNet, netnsAvailable } from '../test/helpers/netns';
import { onCleanup } from './cleanup';
import { CLI, spawnReady, startBenchCluster, stopChild } from './cluster';
import { mbps, printTable, Row } from './report';

const MiB = 1024 * 1024;
const WORKLOAD = resolve(__dirname, '../test/helpers/heal-workload.js');

/** CPU µs per chunk of placeChunk over n equal nodes. */
function placementMicros(n: number): number {
  const cand: PlacementCandidate[] = Array.from({ length: n }, (_, i) => ({ id: `${i.toString(16).padStart(8, '0')}-0000-4000-8000-node${i}`, free: 8 * 1024 ** 3 + i * MiB }));
  for (let i = 0; i < 5000; i++) placeChunk(i, 0, cand, 2);
  const count = Math.max(20_000, Math.floor(2_000_000 / n));
  const t0 = process.cpuUsage();
  for (let i = 0; i < count; i++) placeChunk(1 + (i >> 7), i & 127, cand, 2);
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / count;
}

async function statusOf(url: string): Promise<PoolStatus> {
  const op = await PoolClient.connect(url, { role: 'operator' });
  try {
    return await op.status(0);
  } finally {
    await op.close();
  }
}

/** Polls status until pred holds; resolves with the time it took (ms). */
async function waitStatus(url: string, pred: (s: PoolStatus) => boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const st = await statusOf(url);
    if (pred(st)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`status condition not met within ${timeoutMs} ms: ${JSON.stringify({ under: st.underReplicatedChunks, repair: st.repair, drains: st.drains })}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Restore-R and drain figures on a 3-node pool (plus one node added for the drain). */
async function restoreAndDrain(rows: Row[]): Promise<void> {
  const holdMiB = Number(process.env.BENCH_HEAL_MIB ?? 1024);
  const nodes = 3;
  const uniqueMiB = Math.ceil((holdMiB * nodes) / 2);
  const memory = `${Math.ceil(holdMiB * 1.8)}MiB`;
  const cluster = await startBenchCluster({ nodes: 0, memory, replicas: 2, managerArgs: ['--repair-after', '1', '--repair-rate', '4GiB'] });
  const children = new Map<string, ChildProcess>();
  const addNode = async () => {
    const n = await spawnReady(CLI, ['node', '--manager', cluster.url, '--memory', memory], /mempool node (\S+) serving .* on ws/);
    onCleanup(() => stopChild(n.child));
    children.set(n.match[1]!, n.child);
  };
  for (let i = 0; i < nodes; i++) await addNode();
  const client = await PoolClient.connect(cluster.url, { name: 'bench-heal', cacheBytes: 64 * MiB });
  try {
    const file = randomBytes(64 * MiB);
    for (let i = 0; i < uniqueMiB / 64; i++) await client.writeFile(`/h${i}`, file);
    const st = await statusOf(cluster.url);
    const victim = st.nodes.reduce((a, b) => (b.used > a.used ? b : a));
    const copiesBefore = st.repair?.bytesCopied ?? 0;
    children.get(victim.id)?.kill('SIGKILL');
    const ms = await waitStatus(cluster.url, (s) => s.nodes.filter((n) => n.alive).length === nodes - 1 && s.underReplicatedChunks === 0 && (s.repair?.pending ?? 0) === 0, 600_000);
    const after = await statusOf(cluster.url);
    const copied = (after.repair?.bytesCopied ?? 0) - copiesBefore;
    rows.push({ name: `restore R=2 after losing a node holding ${(victim.used / MiB).toFixed(0)} MiB (incl. 1 s grace)`, value: ms / 1000, unit: 's' });
    rows.push({ name: 're-replication copy rate', value: mbps(copied, ms / 1000), unit: 'MB/s' });
    // drain: a new node joins, then one of the old ones is drained onto it and the other
    await addNode();
    const st2 = await statusOf(cluster.url);
    const drained = st2.nodes.filter((n) => n.alive && n.chunks > 0).reduce((a, b) => (b.used > a.used ? b : a));
    const op = await PoolClient.connect(cluster.url, { role: 'operator' });
    const t0 = performance.now();
    await op.drain(drained.id);
    await op.close();
    const drainMs = await waitStatus(cluster.url, (s) => (s.drains?.find((d) => d.node === drained.id)?.chunks ?? 1) === 0 && s.repair?.active === 0, 600_000);
    rows.push({ name: `drain of a node holding ${(drained.used / MiB).toFixed(0)} MiB`, value: (performance.now() - t0) / 1000, unit: 's' });
    rows.push({ name: 'drain throughput', value: mbps(drained.used, drainMs / 1000), unit: 'MB/s' });
  } finally {
    await client.close();
    await Promise.all([...children.values()].map((c) => stopChild(c)));
    await cluster.stop();
  }
}

/** Latency of the heal workload while one client↔node link is cut for 10 s of a 24 s run. */
async function linkCut(rows: Row[]): Promise<void> {
  if (!netnsAvailable()) {
    console.log('link cut: network namespaces are not available here; skipped');
    return;
  }
  const net = createNet('hb', ['mgr', 'n1', 'n2', 'n3', 'c'], 61);
  const procs: Array<ReturnType<typeof spawn>> = [];
  const unregister = onCleanup(async () => {
    for (const p of procs) p.kill('SIGKILL');
    net.destroy();
  });
  const env = { ...process.env, MEMPOOL_SECRET: 'bench-heal-secret-0123456789', MEMPOOL_PING_MS: '500' };
  const start = (host: string, args: string[], ready: RegExp): Promise<RegExpMatchArray> => {
    const h = net.hosts.get(host)!;
    const child = spawn(h.prefix[0]!, [...h.prefix.slice(1), process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(child);
    let out = '';
    return new Promise((res, rej) => {
      const on = (d: Buffer) => {
        out += d.toString();
        const m = out.match(ready);
        if (m) res(m);
      };
      child.stdout!.on('data', on);
      child.stderr!.on('data', on);
      child.once('exit', () => rej(new Error(`${args.join(' ')} exited: ${out}`)));
    });
  };
  try {
    const ip = (h: string) => net.hosts.get(h)!.ip;
    const url = (await start('mgr', [CLI, 'manager', '--listen', `${ip('mgr')}:0`, '--replicas', '2'], /listening on (ws:\/\/\S+)/))[1]!;
    for (const n of ['n1', 'n2', 'n3']) await start(n, [CLI, 'node', '--manager', url, '--memory', '128MiB', '--listen', `${ip(n)}:0`], /serving .* on ws/);
    let result = '';
    const done = start('c', [WORKLOAD, 'loop', url, '24'], /(\{"ops".*\})/).then((m) => (result = m[1]!));
    await new Promise((r) => setTimeout(r, 5000));
    net.cut('c', 'n1');
    await new Promise((r) => setTimeout(r, 10_000));
    net.heal('c', 'n1');
    await done;
    const r = JSON.parse(result) as { ops: number; errors: string[]; p50: number; p99: number; max: number };
    rows.push({ name: 'write+fsync+read during a link cut: p50', value: r.p50, unit: 'ms' });
    rows.push({ name: 'write+fsync+read during a link cut: p99', value: r.p99, unit: 'ms' });
    rows.push({ name: 'write+fsync+read during a link cut: max', value: r.max, unit: 'ms' });
    rows.push({ name: 'errors during the link cut', value: r.errors.length, unit: `of ${r.ops}` });
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    net.destroy();
    unregister();
  }
}

/** Runs every heal benchmark and prints one table. */
export async function runHeal(): Promise<void> {
  const rows: Row[] = [];
  for (const n of [10, 100, 1000]) rows.push({ name: `placement at ${n} nodes (R=2)`, value: placementMicros(n), unit: 'µs CPU/chunk' });
  printTable('heal: placement', rows.splice(0));
  await linkCut(rows);
  printTable('heal: latency during a client↔node link cut', rows.splice(0));
  await restoreAndDrain(rows);
  printTable('heal: restore R and drain', rows);
}
