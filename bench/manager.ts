/**
 * Manager metadata throughput (issue 10): create, stat, rename and unlink through PoolClient, from 1 and from 16
 * clients, against `mempool manager` with volatile metadata, with the local journal (`--data-dir`) and with etcd
 * (`--meta`, a one-member etcd); the journal and etcd's data dir go under BENCH_DATA_DIR (default a fresh directory
 * under the system temp dir: put it on the disk they would live on; on tmpfs a sync costs nothing). Then the
 * takeover time of two managers on etcd over BENCH_TAKEOVERS (default 10) kill -9s of the leader, as a client sees
 * it (kill to its next successful call), and the manager's RSS per 100k files (BENCH_RSS_FILES files created).
 * BENCH_MODES (e.g. "journal"), BENCH_TAKEOVERS=0 and BENCH_RSS_FILES=0 run parts only.
 */
import { ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PoolClient } from '../src/client/pool-client';
import { startEtcd } from '../test/helpers/etcd';
import { onCleanup } from './cleanup';
import { CLI, spawnReady, startBenchCluster, stopChild } from './cluster';
import { lanes, timed } from './util';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

/** ops/s of create, stat, rename and unlink with `width` clients, each on its own link. */
async function measure(url: string, width: number, tag: string): Promise<Record<string, number>> {
  const clients = await Promise.all(Array.from({ length: width }, () => PoolClient.connect(url, { log: () => undefined })));
  const dir = `/bench-${tag}-${width}`;
  await clients[0]!.mkdir(dir);
  const counts = new Array<number>(width).fill(0);
  const out: Record<string, number> = {};
  out.create = await forDurationPerClient(width, async (i) => {
    const n = counts[i]!++;
    await clients[i]!.mknod(`${dir}/c${i}-${n}`, 0o100644);
  });
  const total = counts.reduce((s, x) => s + x, 0);
  const per = (i: number, k: number) => `${dir}/c${i}-${k}`;
  const all: Array<[number, number]> = [];
  for (let i = 0; i < width; i++) for (let k = 0; k < counts[i]!; k++) all.push([i, k]);
  const run = async (name: string, fn: (i: number, k: number) => Promise<unknown>) => {
    let next = 0;
    const secs = await timed(() =>
      lanes(width, width, async (lane) => {
        for (;;) {
          const j = next++;
          const item = all[j];
          if (!item) return;
          await fn(lane, j);
        }
      }),
    );
    out[name] = total / secs;
  };
  await run('stat', (lane, j) => clients[lane]!.getattr(per(...all[j]!)));
  await run('rename', (lane, j) => clients[lane]!.rename(per(...all[j]!), `${per(...all[j]!)}.r`));
  await run('unlink', (lane, j) => clients[lane]!.unlink(`${per(...all[j]!)}.r`));
  await Promise.all(clients.map((cl) => cl.close()));
  return out;

  async function forDurationPerClient(w: number, job: (i: number) => Promise<void>): Promise<number> {
    let ops = 0;
    const t0 = Date.now();
    const stopAt = t0 + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: w }, async (_, i) => {
        while (Date.now() < stopAt) {
          await job(i);
          ops++;
        }
      }),
    );
    return ops / ((Date.now() - t0) / 1000);
  }
}

/** Runs the suite: metadata ops/s without a log, with the journal, with etcd; takeover times; RSS per 100k files. */
export async function runManager(): Promise<void> {
  const base = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'mempool-bench-meta-'));
  const etcd = await startEtcd([], base);
  const unregister = onCleanup(() => etcd.stop());
  try {
    await throughput(base, etcd.hostPort);
    const kills = Number(process.env.BENCH_TAKEOVERS ?? 10);
    if (kills > 0) await takeovers(etcd.hostPort, kills);
    const files = Number(process.env.BENCH_RSS_FILES ?? 100_000);
    if (files > 0) await rssPerFiles(files);
  } finally {
    unregister();
    await etcd.stop();
  }
  if (!process.env.BENCH_DATA_DIR) rmSync(base, { recursive: true, force: true });
}

/** ops/s per mode and width. */
async function throughput(base: string, etcdHostPort: string): Promise<void> {
  const modes = (process.env.BENCH_MODES ?? 'volatile,journal,etcd').split(',').filter(Boolean);
  for (const mode of modes) {
    const dataDir = join(base, `meta-${process.pid}`);
    const args = mode === 'journal' ? ['--data-dir', dataDir] : mode === 'etcd' ? ['--meta', `etcd://${etcdHostPort}/bench-${process.pid}`] : [];
    const cluster = await startBenchCluster({ nodes: 1, memory: '64MiB', replicas: 1, managerArgs: args });
    try {
      for (const width of [1, 16]) {
        const r = await measure(cluster.url, width, mode);
        const line = `${mode.padEnd(8)} ${String(width).padStart(2)} clients: ${Object.entries(r)
          .map(([k, v]) => `${k} ${v.toFixed(0)}/s`)
          .join(', ')}`;
        console.log(line);
      }
    } finally {
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

/** A manager on etcd started through the CLI: resolves once it stands by (or leads), with its URL. */
async function etcdManager(meta: string, listen: string): Promise<{ child: ChildProcess; url: string }> {
  const m = await spawnReady(CLI, ['manager', '--listen', listen, '--meta', meta], /standing by on (ws:\/\/\S+)/, 30_000);
  return { child: m.child, url: m.match[1] ?? '' };
}

/** Resolves once the child prints re (or rejects after ms). */
function printed(child: ChildProcess, re: RegExp, ms: number): Promise<void> {
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`no ${re} within ${ms} ms`)), ms);
    const on = (d: Buffer) => {
      out += d.toString();
      if (re.test(out)) {
        clearTimeout(timer);
        res();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
  });
}

/**
 * Two managers on etcd, one memory node, a client given both URLs: `kills` times, kill -9 the leader and time until
 * the client's next call succeeds (and until the standby serves); the killed one comes back on its address as a standby.
 */
async function takeovers(etcdHostPort: string, kills: number): Promise<void> {
  const meta = `etcd://${etcdHostPort}/takeover-${process.pid}`;
  const live: ChildProcess[] = [];
  const unregister = onCleanup(async () => {
    await Promise.all(live.map((c) => stopChild(c, 500)));
  });
  try {
    const a = await etcdManager(meta, '127.0.0.1:0');
    live.push(a.child);
    await printed(a.child, /listening on/, 30_000).catch(() => undefined);
    const b = await etcdManager(meta, '127.0.0.1:0');
    live.push(b.child);
    const urls = `${a.url},${b.url}`;
    const node = await spawnReady(CLI, ['node', '--manager', urls, '--memory', '64MiB'], /serving .* on ws/, 30_000);
    live.push(node.child);
    const client = await PoolClient.connect(urls, { log: () => undefined });
    let leader = a;
    let standby = b;
    const seen: number[] = [];
    const served: number[] = [];
    for (let i = 0; i < kills; i++) {
      await client.mkdir(`/k${i}`);
      const servedNow = printed(standby.child, /listening on/, 60_000);
      const t0 = performance.now();
      leader.child.kill('SIGKILL');
      await servedNow;
      served.push(performance.now() - t0);
      await client.getattr(`/k${i}`); // the client's next call, retried across the takeover
      await client.mkdir(`/k${i}-after`);
      seen.push(performance.now() - t0);
      const again = await etcdManager(meta, new URL(leader.url).host);
      live.push(again.child);
      [leader, standby] = [standby, again];
    }
    await client.close();
    const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
    console.log(
      `takeover over ${kills} kill -9s of the leader (etcd lease TTL 5 s): standby serving p50 ${(q(served, 0.5) / 1000).toFixed(2)} s, max ${(Math.max(...served) / 1000).toFixed(2)} s; client's next call done p50 ${(q(seen, 0.5) / 1000).toFixed(2)} s, max ${(Math.max(...seen) / 1000).toFixed(2)} s`,
    );
  } finally {
    unregister();
    await Promise.all(live.map((c) => stopChild(c, 500)));
  }
}

/** The manager's resident set size in bytes (from /proc). */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Creates `files` empty files (16 clients, 1000 per directory) on a volatile manager and reports its RSS growth per 100k files. */
async function rssPerFiles(files: number): Promise<void> {
  const cluster = await startBenchCluster({ nodes: 1, memory: '64MiB', replicas: 1 });
  try {
    const clients = await Promise.all(Array.from({ length: 16 }, () => PoolClient.connect(cluster.url, { log: () => undefined })));
    const before = rssOf(cluster.managerPid);
    const dirs = Math.ceil(files / 1000);
    await lanes(dirs, 16, async (d) => {
      await clients[d % 16]!.mkdir(`/r${d}`);
    });
    const secs = await timed(() =>
      lanes(files, 16, async (i) => {
        await clients[i % 16]!.mknod(`/r${Math.floor(i / 1000)}/f${i}`, 0o100644);
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssOf(cluster.managerPid);
    console.log(
      `manager RSS: ${(before / 1048576).toFixed(0)} MiB empty, ${(after / 1048576).toFixed(0)} MiB with ${files} files: ${(((after - before) / 1048576) * (100_000 / files)).toFixed(1)} MiB per 100k files (created at ${(files / secs).toFixed(0)}/s)`,
    );
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await cluster.stop();
  }
}
