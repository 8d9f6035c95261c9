/**
 * Profiling probe (not a suite): one cluster (BENCH_REPLICAS, default 1), a
 * sequential 1 MiB write and read of BENCH_FILE_MIB at QD1, printing MB/s.
 * Run with BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" and
 * `node --cpu-prof` to profile the client and the server processes.
 */
import { randomBytes } from 'crypto';
import { PoolClient } from '../src';
import { startBenchCluster, stopAllChildren } from './cluster';
import { mbps } from './report';
import { lanes, timed } from './util';

const MiB = 1024 * 1024;

/** Writes then reads one file at the given queue depth, printing MB/s for each. */
async function main(): Promise<void> {
  const mib = Number(process.env.BENCH_FILE_MIB ?? 256);
  const qd = Number(process.env.BENCH_QD ?? 1);
  const cluster = await startBenchCluster({ nodes: 3, memory: process.env.BENCH_NODE_MEMORY ?? '1GiB', replicas: Number(process.env.BENCH_REPLICAS ?? 1) });
  const c = await PoolClient.connect(cluster.url);
  const data = randomBytes(MiB);
  const fh = await c.create('/probe');
  const w = await timed(async () => {
    await lanes(mib, qd, async (i) => void (await c.write(fh, i * MiB, data)));
    await c.fsync(fh);
  });
  const r = await timed(() => lanes(mib, qd, async (i) => void (await c.read(fh, i * MiB, MiB))));
  console.log(`write ${mbps(mib * MiB, w).toFixed(0)} MB/s, read ${mbps(mib * MiB, r).toFixed(0)} MB/s (${mib} MiB, QD${qd})`);
  await c.release(fh);
  await c.close();
  await cluster.stop();
}

main().catch(async (err: Error) => {
  console.error(err.stack);
  await stopAllChildren();
  process.exit(1);
});
