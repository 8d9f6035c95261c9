/**
 * `npm run bench -- etcd-log`: append throughput of the etcd metadata log (EtcdLog)
 * on a real one-member etcd, with its data dir on tmpfs and on the disk
 * (MEMPOOL_BENCH_DISK, default /var/tmp): records/s and per-append latency, sequential
 * appends of 1, 10 and 100 records, and N single-record appends in flight that the
 * group commit folds into shared transactions.
 */
import { EtcdLog } from '../src/manager/log/etcd-log';
import { Json } from '../src/manager/log/meta-log';
import { startEtcd } from '../test/helpers/etcd';
import { onCleanup } from './cleanup';
import { Row, printTable } from './report';

/** A metadata operation of a realistic size (~170 bytes of JSON). */
function op(i: number): Json {
  return { t: 'create', req: `c7f3a9e1-${i}`, parent: 4711, name: `file-${String(i).padStart(8, '0')}.dat`, ino: 100000 + i, gen: 1, mode: 0o100644, uid: 1000, gid: 1000, mtime: 1764672000000 + i };
}

/** Runs fn for about ms and returns how many times it completed per second. */
async function timed(ms: number, fn: () => Promise<number>): Promise<{ perSec: number; records: number; seconds: number }> {
  const t0 = performance.now();
  let records = 0;
  while (performance.now() - t0 < ms) records += await fn();
  const seconds = (performance.now() - t0) / 1000;
  return { perSec: records / seconds, records, seconds };
}

/** Measures one data-dir placement. */
async function measure(label: string, parentDir: string): Promise<Row[]> {
  const etcd = await startEtcd([], parentDir);
  const unregister = onCleanup(() => etcd.stop());
  const log = EtcdLog.fromUrl(`etcd://${etcd.hostPort}/bench`, { ttlSeconds: 5 });
  const rows: Row[] = [];
  try {
    await log.campaign('ws://bench:1');
    let n = 0;
    for (const k of [1, 10, 100]) {
      const r = await timed(3000, async () => {
        await log.append(Array.from({ length: k }, () => op(n++)));
        return k;
      });
      rows.push({ name: `${label}: sequential appends of ${k} record${k > 1 ? 's' : ''}`, value: r.perSec, unit: 'records/s' });
      rows.push({ name: `${label}: sequential appends of ${k}, latency`, value: (1000 * r.seconds * k) / r.records, unit: 'ms/append' });
    }
    for (const inflight of [16, 256, 2048]) {
      const r = await timed(3000, async () => {
        await Promise.all(Array.from({ length: inflight }, () => log.append([op(n++)])));
        return inflight;
      });
      rows.push({ name: `${label}: ${inflight} single-record appends in flight`, value: r.perSec, unit: 'records/s' });
    }
    const head = await log.head();
    const batches = (await log.client.getAll().prefix(log.keys.log).keys()).length;
    rows.push({ name: `${label}: records per transaction overall`, value: head / batches, unit: 'records/txn' });
  } finally {
    await log.close();
    await etcd.stop();
    unregister();
  }
  return rows;
}

/** Runs the suite: tmpfs first, then the disk. */
export async function runEtcdLog(): Promise<void> {
  const rows = [...(await measure('tmpfs', '/dev/shm')), ...(await measure('disk', process.env.MEMPOOL_BENCH_DISK ?? '/var/tmp'))];
  printTable('etcd metadata log (one etcd member, group commit)', rows);
}
