/**
 * Starts a real one-member etcd (Debian etcd-server, /usr/bin/etcd) on free loopback
 * ports with its data dir on /dev/shm (tmpfs: fast WAL syncs), and makes sure it and
 * its data dir never outlive the test file, also when a test fails.
 */
import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';
import { TEST_MARK } from './procs';

/** A running etcd member. */
export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:40123. */
  endpoint: string;
  /** HOST:PORT of the client URL. */
  hostPort: string;
  child: ChildProcess;
  dataDir: string;
  /** etcd's output so far. */
  output(): string;
  /** Kills it (SIGKILL) and removes its data dir. */
  stop(): Promise<void>;
  /** Kills it (SIGKILL) and starts it again on the same ports and data dir. */
  restart(): Promise<void>;
}

const running = new Set<EtcdServer>();

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Polls /health until etcd answers healthy, the process exits, or the deadline passes. */
async function waitHealthy(srv: EtcdServer, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (srv.child.exitCode !== null || srv.child.signalCode !== null) throw new Error(`etcd exited early:\n${srv.output()}`);
    try {
      const r = await fetch(`${srv.endpoint}/health`);
      const body = (await r.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd not healthy within ${deadlineMs} ms:\n${srv.output()}`);
}

/** Starts one etcd member with its data dir under parentDir (default /dev/shm, a tmpfs); extraArgs are appended to its command line. */
export async function startEtcd(extraArgs: string[] = [], parentDir = '/dev/shm'): Promise<EtcdServer> {
  for (let attempt = 0; ; attempt++) {
    const [client, peer] = [await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(parentDir, 'mempool-etcd-'));
    const cu = `http://127.0.0.1:${client}`;
    const pu = `http://127.0.0.1:${peer}`;
    const args = [
      '--name=default',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${cu}`,
      `--advertise-client-urls=${cu}`,
      `--listen-peer-urls=${pu}`,
      `--initial-advertise-peer-urls=${pu}`,
      `--initial-cluster=default=${pu}`,
      '--log-level=warn',
      ...extraArgs,
    ];
    const srv = spawnEtcd(args, dataDir, cu, client);
    running.add(srv);
    try {
      await waitHealthy(srv, 20000);
      return srv;
    } catch (err) {
      await srv.stop();
      if (attempt >= 2 || !/address already in use/.test(srv.output())) throw err;
    }
  }
}

/** Stops every etcd this test file started (call from afterAll). */
export async function stopAllEtcd(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

process.on('exit', () => {
  for (const s of running) {
    s.child.kill('SIGKILL');
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

/** A running etcd cluster of several members on loopback. */
export interface EtcdCluster {
  members: EtcdServer[];
  /** HOST:PORT of every member's client URL, comma-separated (for etcd://…/PREFIX). */
  hostPorts: string;
  /** Kills every member and removes their data dirs. */
  stop(): Promise<void>;
}

/** Starts an n-member etcd cluster (data dirs under parentDir, default /dev/shm) and waits until every member is healthy. */
export async function startEtcdCluster(n = 3, parentDir = '/dev/shm'): Promise<EtcdCluster> {
  const ports = await Promise.all(Array.from({ length: n }, async () => [await freePort(), await freePort()] as const));
  const initial = ports.map(([, peer], i) => `m${i}=http://127.0.0.1:${peer}`).join(',');
  const members: EtcdServer[] = [];
  const started = ports.map(async ([client, peer], i) => {
    const dataDir = mkdtempSync(join(parentDir, 'mempool-etcd-'));
    const cu = `http://127.0.0.1:${client}`;
    const pu = `http://127.0.0.1:${peer}`;
    const args = [
      `--name=m${i}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${cu}`,
      `--advertise-client-urls=${cu}`,
      `--listen-peer-urls=${pu}`,
      `--initial-advertise-peer-urls=${pu}`,
      `--initial-cluster=${initial}`,
      '--initial-cluster-state=new',
      '--initial-cluster-token=mempool-test',
      '--log-level=warn',
    ];
    const srv = spawnEtcd(args, dataDir, cu, client);
    running.add(srv);
    members.push(srv);
    return srv;
  });
  const all = await Promise.all(started);
  await Promise.all(all.map((s) => waitHealthy(s, 30000)));
  return {
    members: all,
    hostPorts: all.map((s) => s.hostPort).join(','),
    async stop() {
      await Promise.all(all.map((s) => s.stop()));
    },
  };
}

/** Starts one etcd process (killed with -9 by stop and restart, which restarts it on the same data dir). */
function spawnEtcd(args: string[], dataDir: string, cu: string, client: number): EtcdServer {
  let out = '';
  let child!: ChildProcess;
  let exited!: Promise<void>;
  const launch = () => {
    child = spawn('/usr/bin/etcd', args, { env: { ...process.env, [TEST_MARK]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const c = child;
    exited = new Promise<void>((res) => c.once('exit', () => res()));
  };
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  launch();
  const srv: EtcdServer = {
    endpoint: cu,
    hostPort: `127.0.0.1:${client}`,
    get child() {
      return child;
    },
    dataDir,
    output: () => out,
    async stop() {
      running.delete(srv);
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      launch();
      await waitHealthy(srv, 20000);
    },
  };
  return srv;
}
