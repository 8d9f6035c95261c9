/**
 * 2,000 unauthenticated connections against a manager while a client works: raw TCP sockets that never send an
 * HTTP upgrade and upgraded WebSockets that never answer the challenge, from 40 loopback addresses. Status stays
 * fast, the client keeps working, every idle socket is closed by the authentication deadline (or earlier, by the
 * caps), and the manager's log gets a bounded number of lines, not one per connection.
 */
import { randomBytes } from 'crypto';
import { readdirSync } from 'fs';
import { connect, Socket } from 'net';
import WebSocket from 'ws';
import { PoolClient } from '../../src';
import { killAll, mempoolSync, startCluster, Cluster } from '../helpers/procs';

const SECRET = `limits-${randomBytes(16).toString('hex')}`;
const AUTH_TIMEOUT_MS = 6000;
const ATTACKERS = 2000;
const ADDRESSES = 40;

let cluster: Cluster;
let worker: PoolClient;
let operator: PoolClient;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Open file descriptors of a process (its sockets among them). */
function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Polls until pred holds, or throws after timeoutMs. */
async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - t0;
}

/** One hostile connection: settles 'open' once connected (or 'closed' if the server dropped it first); `closed` tells whether it has been closed since. */
interface Attacker {
  opened: Promise<void>;
  closed: () => boolean;
  destroy: () => void;
}

function rawTcp(port: number, localAddress: string): Attacker {
  const s: Socket = connect({ port, host: '127.0.0.1', localAddress });
  let closed = false;
  s.on('error', () => undefined);
  s.on('close', () => (closed = true));
  const opened = new Promise<void>((res) => {
    s.once('connect', () => res());
    s.once('close', () => res());
  });
  return { opened, closed: () => closed, destroy: () => s.destroy() };
}

function idleWs(url: string, localAddress: string): Attacker {
  const ws = new WebSocket(url, { perMessageDeflate: false, localAddress });
  let closed = false;
  ws.on('error', () => undefined);
  ws.on('close', () => (closed = true));
  const opened = new Promise<void>((res) => {
    ws.once('open', () => res());
    ws.once('close', () => res());
  });
  return { opened, closed: () => closed, destroy: () => ws.terminate() };
}

beforeAll(async () => {
  cluster = await startCluster({ nodes: 1, memory: '64MiB', secret: SECRET, env: { MEMPOOL_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS) } });
  worker = await PoolClient.connect(cluster.url, { secret: SECRET });
  operator = await PoolClient.connect(cluster.url, { secret: SECRET, role: 'operator' });
}, 30_000);

afterAll(async () => {
  await worker?.close();
  await operator?.close();
  await killAll();
});

it(`${ATTACKERS} unauthenticated connections: status under 200 ms, the client keeps working, idle sockets closed by the deadline, a bounded log`, async () => {
  const port = Number(new URL(cluster.url).port);
  const managerPid = cluster.manager.child.pid as number;
  const fdsBefore = fdCount(managerPid);
  const logLinesBefore = cluster.manager.output().split('\n').length;

  // The client works the whole time: writes and reads back a file in a loop.
  let working = true;
  let rounds = 0;
  let workError: Error | null = null;
  const work = (async () => {
    const data = randomBytes(256 * 1024);
    while (working) {
      await worker.writeFile('/busy', data);
      const back = await worker.readFile('/busy');
      if (!back.equals(data)) throw new Error('read back different bytes');
      rounds++;
    }
  })().catch((err: Error) => (workError = err));

  // Half raw TCP that never upgrades, half WebSockets that never answer the challenge, spread over 127.0.0.2..41.
  const attackers: Attacker[] = [];
  const t0 = Date.now();
  for (let i = 0; i < ATTACKERS; i += 100) {
    const batch: Attacker[] = [];
    for (let j = i; j < i + 100; j++) {
      const from = `127.0.0.${2 + (j % ADDRESSES)}`;
      batch.push(j % 2 === 0 ? rawTcp(port, from) : idleWs(cluster.url, from));
    }
    await Promise.all(batch.map((a) => a.opened));
    attackers.push(...batch);
  }
  const openedMs = Date.now() - t0;
  const stillOpen = () => attackers.filter((a) => !a.closed()).length;
  const openAtPeak = stillOpen();
  const fdsAtPeak = fdCount(managerPid);
  console.log(`${ATTACKERS} connections opened in ${openedMs} ms; ${openAtPeak} still open; manager fds ${fdsBefore} -> ${fdsAtPeak}`);
  expect(openAtPeak).toBeGreaterThan(500);

  // Status, timed as the RPC only, on an already connected operator link and on a fresh one.
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s0 = process.hrtime.bigint();
    const st = await operator.status();
    samples.push(Number(process.hrtime.bigint() - s0) / 1e6);
    expect(st.nodes).toHaveLength(1);
  }
  const c0 = Date.now();
  const fresh = await PoolClient.connect(cluster.url, { secret: SECRET, role: 'operator' });
  const connectMs = Date.now() - c0;
  const f0 = process.hrtime.bigint();
  await fresh.status();
  samples.push(Number(process.hrtime.bigint() - f0) / 1e6);
  await fresh.close();
  // And the real CLI once, while the attack is on.
  const cli0 = Date.now();
  const cli = mempoolSync(['status', cluster.url, '--json'], { MEMPOOL_SECRET: SECRET });
  const cliMs = Date.now() - cli0;
  const openDuringStatus = stillOpen();
  console.log(
    `status RPC under attack: ${samples.map((s) => s.toFixed(1)).join(', ')} ms; fresh operator connect ${connectMs} ms; CLI status ${cliMs} ms (process start included); ${openDuringStatus} attackers still open`,
  );
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout).nodes).toHaveLength(1);
  const sorted = [...samples].sort((a, b) => a - b);
  expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(200);
  expect(openDuringStatus).toBeGreaterThan(0);

  // Every idle socket is closed by the deadline (plus a grace for a loaded machine), seen from both ends.
  const closedAfter = await until(() => stillOpen() === 0, AUTH_TIMEOUT_MS + 10_000, 'every attacker socket to be closed');
  const sinceStart = Date.now() - t0;
  await until(() => fdCount(managerPid) <= fdsBefore + 5, 10_000, `the manager's fd count to drop back to ${fdsBefore}`);
  console.log(`all attacker sockets closed ${sinceStart} ms after the first one opened (${closedAfter} ms after the status checks); manager fds back to ${fdCount(managerPid)}`);
  expect(sinceStart).toBeLessThan(openedMs + AUTH_TIMEOUT_MS + 10_000);

  working = false;
  await work;
  expect(workError).toBeNull();
  expect(rounds).toBeGreaterThan(0);

  // A bounded log: a few dozen lines with counts of what was not logged, not one line per connection.
  await sleep(100);
  const newLines = cluster.manager
    .output()
    .split('\n')
    .slice(logLinesBefore - 1);
  console.log(`manager log: ${newLines.length} new lines for ${ATTACKERS} rejected connections; e.g.\n${newLines.slice(-4).join('\n')}`);
  expect(newLines.length).toBeLessThan(100);
  expect(cluster.manager.output()).toMatch(/closed (an unauthenticated )?connection from 127\.0\.0\.\d+/);
  for (const a of attackers) a.destroy();
  expect(cluster.manager.child.exitCode).toBeNull();
}, 120_000);
