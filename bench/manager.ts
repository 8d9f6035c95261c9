/**
 * Manager metadata throughput with and without the local journal (issue 10): create, stat, rename and
 * unlink through PoolClient, from 1 and from 16 clients, against `mempool manager` alone and with
 * `--data-dir` (BENCH_DATA_DIR, default a fresh directory under the system temp dir: put it on the disk
 * the journal would live on; on tmpfs fdatasync costs nothing).
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PoolClient } from '../src/client/pool-client';
import { startBenchCluster } from './cluster';
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

/** Runs the suite: a pool without a journal, then with one. */
export async function runManager(): Promise<void> {
  const base = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'mempool-bench-meta-'));
  for (const mode of ['volatile', 'journal'] as const) {
    const dataDir = join(base, `meta-${process.pid}`);
    const cluster = await startBenchCluster({ nodes: 1, memory: '64MiB', replicas: 1, managerArgs: mode === 'journal' ? ['--data-dir', dataDir] : [] });
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
  if (!process.env.BENCH_DATA_DIR) rmSync(base, { recursive: true, force: true });
}
