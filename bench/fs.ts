/**
 * The `fs` suite: the same workloads, with unmodified tools, on a mempool
 * mount (manager + memory nodes, R=1, loopback) and on a fresh tmpfs, one
 * file system after the other; tmpfs is the yardstick (printed, not asserted).
 */
import { rmSync } from 'fs';
import { BenchCluster, startBenchCluster } from './cluster';
import { CompareRow, printCompare } from './compare';
import { buildMetaLoop, buildTarball, cachedRead, cleanData, fioIops, metaLoop, seqRead, seqWrite, smallWrites, Tarball, untarRm } from './fs-workloads';
import { BenchMount, benchDir, mountMempool, mountTmpfs } from './mounts';

/** Sizes and durations (overridable by environment for quick runs). */
const cfg = {
  seqMiB: Number(process.env.BENCH_SEQ_MIB ?? 1024),
  smallMiB: Number(process.env.BENCH_SMALL_MIB ?? 32),
  fioMiB: Number(process.env.BENCH_FIO_MIB ?? 256),
  fioSeconds: Number(process.env.BENCH_FIO_SECONDS ?? 5),
  metaFiles: Number(process.env.BENCH_META_FILES ?? 10_000),
  nodes: Number(process.env.BENCH_FS_NODES ?? 1),
  nodeMemory: process.env.BENCH_NODE_MEMORY ?? '3GiB',
  /** Page cache of the mempool mount (default: the CLI's, 256 MiB). */
  cache: process.env.BENCH_MOUNT_CACHE,
  /** Each workload runs this many times on each file system, interleaved; the best run counts (the machine is shared). */
  trials: Math.max(1, Number(process.env.BENCH_FS_TRIALS ?? 2)),
  /** Comma-separated subset of mempool,tmpfs (default: both). */
  only: (process.env.BENCH_FS_ONLY ?? 'mempool,tmpfs').split(','),
  /** Comma-separated prefixes of workload names to run (e.g. "seq,fio"; default: all). */
  workloads: (process.env.BENCH_FS_WORKLOADS ?? '').split(',').filter(Boolean),
};

/** Figures of one file system, by key (e.g. "seqWrite", "create"); higher is better. */
type FsFigures = Record<string, number>;

/** One workload: runs on a directory and returns its figures. */
interface Workload {
  name: string;
  run(dir: string): Promise<FsFigures>;
}

/** The workloads, in order; each cleans up what it wrote. */
function workloads(meta: string, tar: Tarball): Workload[] {
  return [
    {
      name: 'seq write + read',
      async run(d) {
        const w = await seqWrite(d, cfg.seqMiB);
        const r = await seqRead(d, cfg.seqMiB);
        const again = await cachedRead(d, cfg.seqMiB);
        await cleanData(d);
        return { seqWrite: w, seqRead: r, cachedRead: again };
      },
    },
    {
      name: 'dd bs=4k',
      async run(d) {
        const small = await smallWrites(d, cfg.smallMiB);
        await cleanData(d);
        return { small };
      },
    },
    {
      name: 'fio 4 KiB random',
      async run(d) {
        const f: FsFigures = {};
        f.randRead1 = await fioIops(d, 'randread', 1, cfg.fioSeconds, cfg.fioMiB);
        f.randReadCached = await fioIops(d, 'randread', 1, cfg.fioSeconds, cfg.fioMiB, true);
        f.randRead4 = await fioIops(d, 'randread', 4, cfg.fioSeconds, cfg.fioMiB);
        f.randWrite1 = await fioIops(d, 'randwrite', 1, cfg.fioSeconds, cfg.fioMiB);
        f.randWrite4 = await fioIops(d, 'randwrite', 4, cfg.fioSeconds, cfg.fioMiB);
        await cleanData(d);
        return f;
      },
    },
    { name: 'metadata', run: async (d) => ({ ...(await metaLoop(meta, d, cfg.metaFiles)) }) },
    { name: 'untar + rm -rf', run: async (d) => ({ ...(await untarRm(d, tar)) }) },
  ];
}

/** Runs every workload on every mounted file system: trials interleaved across file systems, keeping each figure's best. */
async function measureAll(mounts: BenchMount[], list: Workload[]): Promise<Record<string, FsFigures>> {
  const best: Record<string, FsFigures> = Object.fromEntries(mounts.map((m) => [m.name, {}]));
  const show = (f: FsFigures) =>
    Object.entries(f)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ');
  for (const w of list) {
    for (let t = 1; t <= cfg.trials; t++) {
      for (const m of mounts) {
        const f = await w.run(m.dir);
        console.log(`  ${w.name} #${t} ${m.name}: ${show(f)}`);
        const figures = (best[m.name] ??= {});
        for (const [k, v] of Object.entries(f)) figures[k] = Math.max(figures[k] ?? 0, v);
      }
    }
  }
  return best;
}

/** The comparison rows. */
function rows(f: Record<string, FsFigures>): CompareRow[] {
  const row = (name: string, unit: string, key: string, target?: number): CompareRow => ({
    name,
    unit,
    target,
    values: Object.fromEntries(Object.entries(f).map(([fs, v]) => [fs, v[key]])),
  });
  return [
    row(`seq write ${cfg.seqMiB} MiB, 1 MiB blocks (dd conv=fsync)`, 'MB/s', 'seqWrite'),
    row(`seq read ${cfg.seqMiB} MiB, 1 MiB blocks (dd), first read after the write`, 'MB/s', 'seqRead'),
    row(`cached re-read of that file (dd)`, 'MB/s', 'cachedRead', 0.5),
    row(`small writes, dd bs=4k ${cfg.smallMiB} MiB conv=fsync`, 'MB/s', 'small'),
    row('4 KiB random read, fio psync, 1 job', 'IOPS', 'randRead1'),
    row('4 KiB random read of a cached file (read whole first, fio --invalidate=0), 1 job', 'IOPS', 'randReadCached', 0.3),
    row('4 KiB random read, fio psync, 4 jobs', 'IOPS', 'randRead4'),
    row('4 KiB random write, fio psync, 1 job', 'IOPS', 'randWrite1'),
    row('4 KiB random write, fio psync, 4 jobs', 'IOPS', 'randWrite4'),
    row(`create (open O_CREAT + close), ${cfg.metaFiles} files`, 'ops/s', 'create'),
    row(`stat, ${cfg.metaFiles} files, right after creating them`, 'ops/s', 'stat'),
    row(`stat again, ${cfg.metaFiles} files (directory lease held)`, 'ops/s', 'statAgain', 0.3),
    row(`unlink, ${cfg.metaFiles} files`, 'ops/s', 'unlink'),
    row('untar (tar -xf)', 'entries/s', 'untar'),
    row('rm -rf of that tree', 'entries/s', 'rm'),
  ];
}

/** Runs the fs suite and prints the comparison table. */
export async function runFs(): Promise<void> {
  const work = benchDir('work');
  const mounts: BenchMount[] = [];
  let cluster: BenchCluster | null = null;
  try {
    const [meta, tar] = await Promise.all([buildMetaLoop(work), buildTarball(work)]);
    console.log(
      `fs: mempool (${cfg.nodes} memory node(s) of ${cfg.nodeMemory}, R=1, loopback, cache ${cfg.cache ?? 'default'}) vs tmpfs; ` +
        `seq ${cfg.seqMiB} MiB, fio ${cfg.fioMiB} MiB x ${cfg.fioSeconds} s, ${cfg.metaFiles} metadata files, tarball of ${tar.entries} entries; best of ${cfg.trials}`,
    );
    if (cfg.only.includes('mempool')) {
      cluster = await startBenchCluster({ nodes: cfg.nodes, memory: cfg.nodeMemory, replicas: 1 });
      mounts.push(await mountMempool(cluster.url, { cache: cfg.cache }));
    }
    if (cfg.only.includes('tmpfs')) mounts.push(await mountTmpfs('2G'));
    const list = workloads(meta, tar).filter((w) => cfg.workloads.length === 0 || cfg.workloads.some((p) => w.name.startsWith(p)));
    const figures = await measureAll(mounts, list);
    printCompare("fs (MB = 10^6 bytes; /tmpfs = mempool's ratio)", 'mempool', ['tmpfs'], rows(figures));
  } finally {
    for (const m of mounts) await m.unmount();
    if (cluster) await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
