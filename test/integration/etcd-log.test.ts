/** EtcdLog against a real one-member etcd: round trips, leadership-guarded appends, following across snapshots, big snapshots. */
import { spawn } from 'child_process';
import { resolve } from 'path';
import { Etcd3 } from 'etcd3';
import { EtcdLog, NotLeaderError, guardedAppendTxn } from '../../src/manager/log/etcd-log';
import { Json, LogRecord, Snapshot } from '../../src/manager/log/meta-log';
import { EtcdServer, startEtcd, stopAllEtcd } from '../helpers/etcd';
import { TEST_MARK } from '../helpers/procs';

let etcd: EtcdServer;
let admin: Etcd3;
const opened: EtcdLog[] = [];
let prefixN = 0;

/** A fresh pool prefix per test, so tests do not see each other's keys. */
function newPrefix(): string {
  return `mempool/t${++prefixN}`;
}

/** Opens an EtcdLog on the test etcd (closed in afterEach); the default TTL leaves room for a loaded 2-core machine. */
function open(prefix: string, ttlSeconds = 5, compactAfterMs?: number): EtcdLog {
  const log = EtcdLog.fromUrl(`etcd://${etcd.hostPort}/${prefix}`, { ttlSeconds, compactAfterMs });
  opened.push(log);
  return log;
}

/** Polls cond until true or the deadline passes. */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Asserts records are exactly seqs from..to with ops {n: seq}. */
function expectSeqs(records: LogRecord[], from: number, to: number): void {
  expect(records.map((r) => r.seq)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
  for (const r of records) expect(r.op).toEqual({ n: r.seq });
}

beforeAll(async () => {
  etcd = await startEtcd();
  admin = new Etcd3({ hosts: etcd.endpoint });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close().catch(() => undefined)));
});

afterAll(async () => {
  admin?.close();
  await stopAllEtcd();
});

test('appends round-trip through load, with seqs 1..n without gaps, group-committed', async () => {
  const prefix = newPrefix();
  const a = open(prefix);
  expect(await a.campaign('ws://a:1')).toEqual({ head: 0 });
  const firsts = await Promise.all(Array.from({ length: 40 }, (_, i) => a.append([{ n: 2 * i + 1 }, { n: 2 * i + 2 }])));
  expect(firsts).toEqual(Array.from({ length: 40 }, (_, i) => 2 * i + 2));
  expect(await a.append([])).toBe(80);
  const batches = await admin.getAll().prefix(`${prefix}/log/`).keys();
  expect(batches.length).toBeLessThan(40); // concurrent appends shared transactions
  const b = open(prefix);
  const loaded = await b.load();
  expect(loaded.snapshot).toBeNull();
  expectSeqs(loaded.records, 1, 80);
  expect(await b.head()).toBe(80);
});

test('only the leader appends; after its lease is revoked it can never append again and the next leader continues the seq', async () => {
  const prefix = newPrefix();
  const a = open(prefix);
  const b = open(prefix);
  await a.campaign('ws://a:1');
  const bElected = b.campaign('ws://b:1');
  let bLeads = false;
  void bElected.then(() => (bLeads = true));
  await expect(b.append([{ n: 1 }])).rejects.toBeInstanceOf(NotLeaderError);
  for (let i = 1; i <= 5; i++) expect(await a.append([{ n: i }])).toBe(i);
  expect(await b.leaderValue()).toBe('ws://a:1');
  expect(bLeads).toBe(false);

  const staleGuard = a.leadership.guard();
  let lostReason = '';
  a.onLost((err) => (lostReason = err.message));
  const leaseId = staleGuard.key.slice(staleGuard.key.lastIndexOf('/') + 1);
  await admin.leaseClient.leaseRevoke({ ID: leaseId });

  await expect(a.append([{ n: 6 }])).rejects.toBeInstanceOf(NotLeaderError);
  await waitFor(() => lostReason !== '', 'a to notice the loss');
  expect(a.isLeader()).toBe(false);
  expect(await bElected).toEqual({ head: 5 });
  expect(await b.leaderValue()).toBe('ws://b:1');
  for (let i = 6; i <= 10; i++) expect(await b.append([{ n: i }])).toBe(i);

  // etcd itself refuses the deposed leader's write, even with the right head and a fresh key
  const head = await admin.get(`${prefix}/head`).exec();
  const refused = await guardedAppendTxn(a.client, a.keys, staleGuard, head.kvs[0]!.mod_revision, 11, JSON.stringify([{ n: 11 }]));
  expect(refused.succeeded).toBe(false);
  await expect(a.append([{ n: 11 }])).rejects.toBeInstanceOf(NotLeaderError);

  const loaded = await open(prefix).load();
  expectSeqs(loaded.records, 1, 10);
});

/** A leader in its own process (built module in dist/): prints "elected", then for each stdin line "append N" prints "ok N SEQ" or "refused N WHY"; prints "lost WHY" when it notices the loss. */
const LEADER_SCRIPT = `
const { EtcdLog } = require(${JSON.stringify(resolve(__dirname, '../../dist/src/manager/log/etcd-log.js'))});
const log = EtcdLog.fromUrl(process.argv[1], { ttlSeconds: 3 });
log.onLost((e) => console.log('lost ' + e.message));
log.campaign('ws://child:1').then(() => console.log('elected'));
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const n = Number(line.split(' ')[1]);
  log.append([{ n }]).then((seq) => console.log('ok ' + n + ' ' + seq), (e) => console.log('refused ' + n + ' ' + e.message));
});
`;

test('a leader paused past its lease (SIGSTOP) is replaced, and after SIGCONT its append is refused and it steps down', async () => {
  const prefix = newPrefix();
  const url = `etcd://${etcd.hostPort}/${prefix}`;
  const child = spawn(process.execPath, ['-e', LEADER_SCRIPT, url], { env: { ...process.env, [TEST_MARK]: '1' }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor(() => out.includes('elected'), 'the child to lead');
    child.stdin!.write('append 1\n');
    await waitFor(() => out.includes('ok 1 1'), 'the child to append');
    const b = open(prefix);
    const bElected = b.campaign('ws://b:1');
    child.kill('SIGSTOP');
    const t0 = Date.now();
    expect(await bElected).toEqual({ head: 1 });
    const takeover = Date.now() - t0;
    expect(takeover).toBeLessThan(10000);
    for (let i = 2; i <= 5; i++) expect(await b.append([{ n: i }])).toBe(i);
    child.kill('SIGCONT');
    child.stdin!.write('append 99\n');
    await waitFor(() => /refused 99 /.test(out), 'the old leader to refuse its append');
    await waitFor(() => /^lost /m.test(out), 'the old leader to report the loss');
    expect(out).not.toMatch(/ok 99/);
    expect(await b.append([{ n: 6 }])).toBe(6);
    expectSeqs((await open(prefix).load()).records, 1, 6);
    console.log(`etcd-log: takeover after SIGSTOP of the leader (TTL 3 s): ${takeover} ms; old leader said: ${out.match(/refused 99 (.*)/)?.[1]}`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('follow() delivers every record exactly once, in order, across a snapshot; a late follower starts from the snapshot', async () => {
  const prefix = newPrefix();
  const leader = open(prefix);
  const standby = open(prefix);
  await leader.campaign('ws://l:1');
  for (let i = 1; i <= 20; i++) await leader.append([{ n: i }]);

  const seen: LogRecord[] = [];
  const f = standby.follow(1, (records) => {
    seen.push(...records);
  });
  await f.caughtUp(20);
  const writes: Promise<number>[] = [];
  for (let i = 21; i <= 60; i++) writes.push(leader.append([{ n: i }]));
  await writes[10];
  await leader.saveSnapshot({ seq: 25, state: { upTo: 25 } });
  await Promise.all(writes);
  await leader.saveSnapshot({ seq: 50, state: { upTo: 50 } });
  for (let i = 61; i <= 100; i++) writes.push(leader.append([{ n: i }]));
  await Promise.all(writes);
  await f.caughtUp(100);
  expectSeqs(seen, 1, 100);
  await f.stop();

  // records at or below 50 are gone from etcd; load gives the snapshot and the rest
  const batches = (await admin.getAll().prefix(`${prefix}/log/`).keys()).map((k) => Number(k.slice(k.lastIndexOf('/') + 1)));
  expect(Math.min(...batches)).toBeGreaterThan(50);
  const loaded = await open(prefix).load();
  expect(loaded.snapshot).toEqual({ seq: 50, state: { upTo: 50 } });
  expectSeqs(loaded.records, 51, 100);

  const late: LogRecord[] = [];
  const snaps: Snapshot[] = [];
  const g = open(prefix).follow(3, { onRecords: (r) => void late.push(...r), onSnapshot: (s) => void snaps.push(s) });
  await g.caughtUp(100);
  expect(snaps).toEqual([{ seq: 50, state: { upTo: 50 } }]);
  expectSeqs(late, 51, 100);
  await leader.append([{ n: 101 }]);
  await g.caughtUp(101);
  expectSeqs(late, 51, 101);
  await g.stop();
});

test('a follower stalled past two snapshots (its watch revision compacted away) resumes from the newest snapshot, nothing repeated', async () => {
  const prefix = newPrefix();
  const leader = open(prefix, 5, 0);
  await leader.campaign('ws://l:1');
  for (let i = 1; i <= 5; i++) await leader.append([{ n: i }]);
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  const seen: LogRecord[] = [];
  const snaps: Snapshot[] = [];
  let calls = 0;
  const f = open(prefix).follow(1, {
    onRecords: async (r) => {
      seen.push(...r);
      if (calls++ === 0) await gate;
    },
    onSnapshot: (s) => void snaps.push(s),
  });
  await waitFor(() => seen.length === 5, 'the first delivery');
  for (let i = 6; i <= 15; i++) await leader.append([{ n: i }]);
  await leader.saveSnapshot({ seq: 10, state: { upTo: 10 } });
  for (let i = 16; i <= 25; i++) await leader.append([{ n: i }]);
  await leader.saveSnapshot({ seq: 20, state: { upTo: 20 } }); // compacts history up to the first snapshot
  await expect(admin.get(`${prefix}/head`).revision(1).exec()).rejects.toThrow(/compacted/);
  for (let i = 26; i <= 30; i++) await leader.append([{ n: i }]);
  release();
  await f.caughtUp(30);
  expect(snaps).toEqual([{ seq: 20, state: { upTo: 20 } }]);
  expect(seen.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, ...Array.from({ length: 10 }, (_, i) => 21 + i)]);
  await leader.append([{ n: 31 }]);
  await f.caughtUp(31);
  expect(seen[seen.length - 1]).toEqual({ seq: 31, op: { n: 31 } });
});

test('observeLeader reports the leader and each change', async () => {
  const prefix = newPrefix();
  const a = open(prefix);
  const b = open(prefix);
  const watcher = open(prefix);
  const seen: (string | undefined)[] = [];
  const stop = await watcher.observeLeader((v) => seen.push(v));
  await a.campaign('ws://a:1');
  const bElected = b.campaign('ws://b:1');
  await waitFor(() => seen[seen.length - 1] === 'ws://a:1', 'a to be seen as leader');
  await a.resign();
  await bElected;
  await waitFor(() => seen[seen.length - 1] === 'ws://b:1', 'b to be seen as leader');
  expect(seen[0]).toBeUndefined();
  await stop();
});

test('a follower survives an etcd restart without losing or repeating records', async () => {
  const own = await startEtcd();
  const prefix = newPrefix();
  const url = `etcd://${own.hostPort}/${prefix}`;
  const leader = EtcdLog.fromUrl(url, { ttlSeconds: 5 });
  const standby = EtcdLog.fromUrl(url, { ttlSeconds: 5 });
  opened.push(leader, standby);
  await leader.campaign('ws://l:1');
  for (let i = 1; i <= 10; i++) await leader.append([{ n: i }]);
  const seen: LogRecord[] = [];
  const f = standby.follow(1, (r) => void seen.push(...r));
  await f.caughtUp(10);
  await own.restart();
  // the leader may or may not keep its lease across the restart: write through whoever leads
  let writer = leader;
  let next: number;
  if (
    !(await leader.append([{ n: 11 }]).then(
      () => true,
      () => false,
    ))
  ) {
    writer = EtcdLog.fromUrl(url, { ttlSeconds: 5 });
    opened.push(writer);
    next = (await writer.campaign('ws://w:1')).head + 1;
  } else next = 12;
  for (let i = next; i <= 20; i++) expect(await writer.append([{ n: i }])).toBe(i);
  await f.caughtUp(20);
  expectSeqs(seen, 1, 20);
  await f.stop();
  await own.stop();
});

test('a snapshot bigger than etcd request limit (1.5 MiB) round-trips in chunks', async () => {
  const prefix = newPrefix();
  const a = open(prefix);
  await a.campaign('ws://a:1');
  for (let i = 1; i <= 3; i++) await a.append([{ n: i }]);
  const files: Json[] = Array.from({ length: 30000 }, (_, i) => ({ ino: i, name: `file-${i}-${'x'.repeat(80)}`, size: i * 4096 }));
  const state: Json = { files, note: 'ünïcødé ✓' };
  await a.saveSnapshot({ seq: 3, state });
  const chunks = await admin.getAll().prefix(`${prefix}/snap/`).keys();
  expect(chunks.length).toBeGreaterThan(2);
  const loaded = await open(prefix).load();
  expect(loaded.snapshot?.seq).toBe(3);
  expect(loaded.snapshot?.state).toEqual(state);
  expect(loaded.records).toEqual([]);
  expect(await a.append([{ n: 4 }])).toBe(4);
  const again = await open(prefix).load();
  expectSeqs(again.records, 4, 4);
});

test('an append larger than one etcd request is refused with E2BIG, not as a lost leadership', async () => {
  const a = open(newPrefix());
  await a.campaign('ws://a:1');
  await expect(a.append(['y'.repeat(2 * 1024 * 1024)])).rejects.toMatchObject({ code: 'E2BIG' });
  expect(a.isLeader()).toBe(true);
  expect(await a.append([{ n: 1 }])).toBe(1);
});
