/**
 * The `coherence` suite: two mempool mounts (A and B, each its own FUSE
 * process) on one pool, beside a tmpfs used by two processes: cached re-read
 * MB/s, lease recall latency between the two clients, write-then-read round
 * trips on one file, and O_APPEND throughput with one writer on each mount.
 * File I/O is done by fd-agent processes through long-lived descriptors;
 * latencies are each syscall's own time, measured inside the agent.
 */
import { join } from 'path';
import { Agent } from './agent';
import { startBenchCluster } from './cluster';
import { printGrid } from './compare';
import { exec } from './exec';
import { BenchMount, mountMempool, mountTmpfs } from './mounts';
import { formatValue, mbps } from './report';
import { now } from './util';

const MiB = 1024 * 1024;

/** Sizes and counts (overridable by environment for quick runs). */
const cfg = {
  rereadMiB: Number(process.env.BENCH_REREAD_MIB ?? 128),
  recallFiles: Number(process.env.BENCH_RECALL_FILES ?? 200),
  recallRounds: Number(process.env.BENCH_RECALL_ROUNDS ?? 600),
  pingpongRounds: Number(process.env.BENCH_PINGPONG_ROUNDS ?? 1000),
  appendLines: Number(process.env.BENCH_APPEND_LINES ?? 5000),
  nodeMemory: process.env.BENCH_NODE_MEMORY ?? '2GiB',
};
/** A file visited again within this time would count as contended (manager: 3 recalls in 1 s make it uncached). */
const REVISIT_MS = 1100;

/** Two processes, each with its own view (directory) of the same files. */
interface Pair {
  a: Agent;
  b: Agent;
  aDir: string;
  bDir: string;
}

/** The p-th percentile (0..100) of values, by nearest rank. */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Re-read figures, MB/s. */
interface Reread {
  aFirst: number;
  aReread: number;
  bFirst: number;
  bReread: number;
}

/** Writes a file on A, reads it on A twice more, then twice on B (B's first read recalls A's lease and comes from the memory nodes). */
async function reread(p: Pair): Promise<Reread> {
  const name = 'reread';
  await exec('dd', ['if=/dev/urandom', `of=${join(p.aDir, name)}`, 'bs=1M', `count=${cfg.rereadMiB}`, 'conv=fsync']);
  const read = async (agent: Agent, dir: string) => {
    const r = await agent.call({ op: 'readFile', path: join(dir, name) });
    if (r.bytes !== cfg.rereadMiB * MiB) throw new Error(`re-read: got ${r.bytes} bytes`);
    return mbps(r.bytes, r.seconds!);
  };
  const aFirst = await read(p.a, p.aDir);
  const aReread = Math.max(await read(p.a, p.aDir), await read(p.a, p.aDir));
  const bFirst = await read(p.b, p.bDir);
  const bReread = Math.max(await read(p.b, p.bDir), await read(p.b, p.bDir));
  await exec('rm', ['-f', join(p.aDir, name)]);
  return { aFirst, aReread, bFirst, bReread };
}

/** Syscall times (µs) of writes on A and reads on B. */
interface Turns {
  writeUs: number[];
  readUs: number[];
  /** Driver-measured time from A's write command to B's reply (µs). */
  roundUs: number[];
}

/** One turn on file id: A writes a value at 0, B reads it back and must see it. */
async function turn(p: Pair, id: string, value: string, t: Turns): Promise<void> {
  const t0 = now();
  const w = await p.a.call({ op: 'pwrite', id, pos: 0, text: value });
  const r = await p.b.call({ op: 'pread', id, pos: 0, len: value.length });
  t.roundUs.push((now() - t0) * 1e6);
  if (r.text !== value) throw new Error(`coherence violated: B read "${r.text}" after A wrote "${value}"`);
  t.writeUs.push(w.us!);
  t.readUs.push(r.us!);
}

/**
 * Lease recall latency: a pool of files, each open on A (writer) and B
 * (reader); every turn picks a file not touched for REVISIT_MS, so each
 * write recalls B's READ lease and each read recalls A's WRITE lease (with
 * its dirty page), and no file becomes contended (uncached).
 */
async function recalls(p: Pair): Promise<Turns> {
  const n = cfg.recallFiles;
  const prefix = 'recall-';
  await p.a.call({ op: 'openMany', prefix: join(p.aDir, prefix), count: n, flags: 'w+' });
  await p.b.call({ op: 'openMany', prefix: join(p.bDir, prefix), count: n, flags: 'r+' });
  const last: number[] = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    // B starts as the READ holder of every file.
    await p.b.call({ op: 'pread', id: String(i), pos: 0, len: 16 });
    last[i] = now();
  }
  const t: Turns = { writeUs: [], readUs: [], roundUs: [] };
  for (let r = 0; r < cfg.recallRounds; r++) {
    const k = r % n;
    const wait = last[k]! + REVISIT_MS / 1000 - now();
    if (wait > 0) await sleep(wait * 1000);
    await turn(p, String(k), `r${r}`.padEnd(16, '.'), t);
    last[k] = now();
  }
  for (let i = 0; i < n; i++) {
    await p.a.call({ op: 'close', id: String(i) });
    await p.b.call({ op: 'close', id: String(i) });
  }
  await exec('sh', ['-c', `rm -f '${join(p.aDir, prefix)}'*`]);
  return t;
}

/** The alternating test: A writes, B reads, on one file, round after round (the file soon turns uncached on the pool). */
async function pingpong(p: Pair): Promise<Turns> {
  await p.a.call({ op: 'open', id: 'pp', path: join(p.aDir, 'pingpong'), flags: 'w+' });
  await p.b.call({ op: 'open', id: 'pp', path: join(p.bDir, 'pingpong'), flags: 'r+' });
  const t: Turns = { writeUs: [], readUs: [], roundUs: [] };
  for (let r = 0; r < cfg.pingpongRounds; r++) await turn(p, 'pp', `p${r}`.padEnd(16, '.'), t);
  await p.a.call({ op: 'close', id: 'pp' });
  await p.b.call({ op: 'close', id: 'pp' });
  await exec('rm', ['-f', join(p.aDir, 'pingpong')]);
  return t;
}

/** Local floor: the same small pwrite and pread on A alone (lease held, nothing to recall); syscall µs. */
async function local(p: Pair): Promise<Turns> {
  await p.a.call({ op: 'open', id: 'loc', path: join(p.aDir, 'local'), flags: 'w+' });
  const t: Turns = { writeUs: [], readUs: [], roundUs: [] };
  for (let r = 0; r < 500; r++) {
    const v = `l${r}`.padEnd(16, '.');
    t.writeUs.push((await p.a.call({ op: 'pwrite', id: 'loc', pos: 0, text: v })).us!);
    const got = await p.a.call({ op: 'pread', id: 'loc', pos: 0, len: 16 });
    if (got.text !== v) throw new Error('local read-back mismatch');
    t.readUs.push(got.us!);
  }
  await p.a.call({ op: 'close', id: 'loc' });
  await exec('rm', ['-f', join(p.aDir, 'local')]);
  return t;
}

/** Appends cfg.appendLines lines from each writer (A, and B if two) to one O_APPEND file at once; lines/s, after checking every line is there once. */
async function appends(p: Pair, writers: 1 | 2): Promise<number> {
  const file = `append-${writers}`;
  const who =
    writers === 2
      ? [
          { agent: p.a, dir: p.aDir, tag: 'A' },
          { agent: p.b, dir: p.bDir, tag: 'B' },
        ]
      : [{ agent: p.a, dir: p.aDir, tag: 'A' }];
  for (const w of who) await w.agent.call({ op: 'open', id: 'ap', path: join(w.dir, file), flags: 'a' });
  const t0 = now();
  await Promise.all(who.map((w) => w.agent.call({ op: 'append', id: 'ap', tag: w.tag, count: cfg.appendLines })));
  const seconds = now() - t0;
  for (const w of who) await w.agent.call({ op: 'close', id: 'ap' });
  const text = (await exec('cat', [join(p.aDir, file)])).stdout;
  const lines = text.split('\n').filter(Boolean);
  const seen = new Set(lines);
  if (lines.length !== writers * cfg.appendLines || seen.size !== lines.length || who.some((w) => !seen.has(`${w.tag} ${cfg.appendLines - 1}`))) {
    throw new Error(`append: ${lines.length} lines (${seen.size} distinct), expected ${writers * cfg.appendLines}`);
  }
  await exec('rm', ['-f', join(p.aDir, file)]);
  return lines.length / seconds;
}

/** Everything measured on one pair. */
interface Figures {
  reread: Reread;
  recall: Turns;
  pingpong: Turns;
  local: Turns;
  append1: number;
  append2: number;
}

/** Runs every measurement on a pair with fresh agents, printing progress. */
async function measure(name: string, aDir: string, bDir: string): Promise<Figures> {
  const [a, b] = await Promise.all([Agent.start(), Agent.start()]);
  const p: Pair = { a, b, aDir, bDir };
  try {
    const rr = await reread(p);
    console.log(`  ${name}: re-read MB/s A first ${rr.aFirst.toFixed(0)}, A again ${rr.aReread.toFixed(0)}, B first ${rr.bFirst.toFixed(0)}, B again ${rr.bReread.toFixed(0)}`);
    const rc = await recalls(p);
    console.log(`  ${name}: recall turns p50 write ${percentile(rc.writeUs, 50).toFixed(0)} µs, read ${percentile(rc.readUs, 50).toFixed(0)} µs`);
    const pp = await pingpong(p);
    console.log(`  ${name}: ping-pong round p50 ${percentile(pp.roundUs, 50).toFixed(0)} µs`);
    const lo = await local(p);
    const append1 = await appends(p, 1);
    const append2 = await appends(p, 2);
    console.log(`  ${name}: append lines/s 1 writer ${append1.toFixed(0)}, 2 writers ${append2.toFixed(0)}`);
    return { reread: rr, recall: rc, pingpong: pp, local: lo, append1, append2 };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

/** Prints the coherence table: mempool beside tmpfs. */
function report(mp: Figures, tf: Figures): void {
  const cells: string[][] = [];
  const rate = (name: string, unit: string, m: number, t: number) => cells.push([name, unit, formatValue(m), '', formatValue(t), '', `${((m / t) * 100).toFixed(0)}%`]);
  const lat = (name: string, m: number[], t: number[]) =>
    cells.push([
      name,
      'µs',
      formatValue(percentile(m, 50)),
      formatValue(percentile(m, 99)),
      formatValue(percentile(t, 50)),
      formatValue(percentile(t, 99)),
      `${(percentile(m, 50) / percentile(t, 50)).toFixed(0)}x`,
    ]);
  rate(`read on A right after writing it there (${cfg.rereadMiB} MiB)`, 'MB/s', mp.reread.aFirst, tf.reread.aFirst);
  rate('cached re-read on A', 'MB/s', mp.reread.aReread, tf.reread.aReread);
  rate('first read on B (recalls A, from the memory nodes)', 'MB/s', mp.reread.bFirst, tf.reread.bFirst);
  rate('cached re-read on B', 'MB/s', mp.reread.bReread, tf.reread.bReread);
  lat("16 B pwrite on A recalling B's READ lease", mp.recall.writeUs, tf.recall.writeUs);
  lat("16 B pread on B recalling A's WRITE lease (+ flush)", mp.recall.readUs, tf.recall.readUs);
  lat('  same: write on A + read on B, driver round trip', mp.recall.roundUs, tf.recall.roundUs);
  lat(`one file, ${cfg.pingpongRounds} alternating rounds: write on A`, mp.pingpong.writeUs, tf.pingpong.writeUs);
  lat('  read on B (sees the write)', mp.pingpong.readUs, tf.pingpong.readUs);
  lat('  write-then-read round trip (driver)', mp.pingpong.roundUs, tf.pingpong.roundUs);
  lat('16 B pwrite on A, lease held (no recall)', mp.local.writeUs, tf.local.writeUs);
  lat('16 B pread on A, lease held (cached)', mp.local.readUs, tf.local.readUs);
  rate(`O_APPEND lines, 1 writer (${cfg.appendLines} lines)`, 'lines/s', mp.append1, tf.append1);
  rate(`O_APPEND lines, A and B on one file (2 x ${cfg.appendLines})`, 'lines/s', mp.append2, tf.append2);
  printGrid(
    'coherence (two mempool mounts on one pool, R=1, loopback; tmpfs: two processes on one tmpfs; latencies are syscall times in the agent)',
    ['measurement', 'unit', 'mempool', 'p99', 'tmpfs', 'p99', 'mempool/tmpfs'],
    cells,
    (i) => i >= 2,
  );
}

/** Runs the coherence suite and prints its table. */
export async function runCoherence(): Promise<void> {
  console.log(
    `coherence: two mounts on one pool (1 memory node of ${cfg.nodeMemory}, R=1) vs two processes on a tmpfs; ` +
      `re-read ${cfg.rereadMiB} MiB, ${cfg.recallRounds} recall turns over ${cfg.recallFiles} files, ${cfg.pingpongRounds} ping-pong rounds, ${cfg.appendLines} lines per appender`,
  );
  const cluster = await startBenchCluster({ nodes: 1, memory: cfg.nodeMemory, replicas: 1 });
  const mounts: BenchMount[] = [];
  try {
    mounts.push(await mountMempool(cluster.url, { name: 'A' }));
    mounts.push(await mountMempool(cluster.url, { name: 'B' }));
    const [a, b] = mounts as [BenchMount, BenchMount]; // both pushed just above
    const mp = await measure('mempool', a.dir, b.dir);
    for (const m of mounts.splice(0)) await m.unmount();
    await cluster.stop();
    const tmp = await mountTmpfs('1G');
    mounts.push(tmp);
    const tf = await measure('tmpfs', tmp.dir, tmp.dir);
    report(mp, tf);
  } finally {
    for (const m of mounts) await m.unmount();
    await cluster.stop();
  }
}
