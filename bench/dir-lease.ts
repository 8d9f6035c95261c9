/**
 * The `dirlease` suite: stat of N files in one directory through PoolClient, without and with the directory lease
 * (dirLeases: the listing is cached under the lease and stats are answered without a round trip).
 */
import { PoolClient } from '../src';
import { startBenchCluster } from './cluster';
import { printTable } from './report';

/** Runs the suite (BENCH_DIR_FILES files, default 10,000). */
export async function runDirLease(): Promise<void> {
  const n = Number(process.env.BENCH_DIR_FILES ?? 10_000);
  const cluster = await startBenchCluster({ nodes: 1, memory: '256MiB', replicas: 1 });
  const clients: PoolClient[] = [];
  try {
    const writer = await PoolClient.connect(cluster.url, { name: 'bench-writer' });
    const plain = await PoolClient.connect(cluster.url, { name: 'bench-plain' });
    const leased = await PoolClient.connect(cluster.url, { name: 'bench-leased', dirLeases: true });
    clients.push(writer, plain, leased);
    await writer.mkdir('/many');
    for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, j) => writer.mknod(`/many/f${i + j}`, 0o100644)));
    const statAll = async (c: PoolClient): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await c.getattr(`/many/f${i}`);
      return n / ((performance.now() - t0) / 1000);
    };
    const without = await statAll(plain);
    const first = await statAll(leased); // fetches the listing on the way
    const cached = await statAll(leased);
    printTable(`stat of ${n} files in one directory through PoolClient`, [
      { name: 'stat, no directory lease', value: without, unit: 'stat/s' },
      { name: 'stat, lease taken on the way', value: first, unit: 'stat/s', ratio: first / without, vs: 'no lease' },
      { name: 'stat, directory lease held', value: cached, unit: 'stat/s', ratio: cached / without, vs: 'no lease' },
    ]);
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await cluster.stop();
  }
}
