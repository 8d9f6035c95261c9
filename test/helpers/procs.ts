/** Starts the real `mempool` CLI as child processes for tests, and makes sure none outlives the test file. */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { defined } from './defined';

/** The built CLI entry point (npm test builds it first). */
export const CLI = resolve(__dirname, '../../dist/src/cli/main.js');
/** Marks every process a test starts, so the global teardown can find leftovers. */
export const TEST_MARK = 'MEMPOOL_TEST_PROCESS';

const children = new Set<ChildProcess>();

/** A started CLI process with its collected output. */
export interface Proc {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of re in the output. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Sends a signal (default SIGTERM) and waits for exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Spawns `mempool ARGS...` with extra environment; `prefix` runs it through another command (e.g. nsenter into a test host). */
export function mempool(args: string[], env: Record<string, string> = {}, prefix: string[] = []): Proc {
  const argv = [...prefix, process.execPath, CLI, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    // argv holds at least execPath and CLI (line above)
    env: { ...process.env, [TEST_MARK]: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((res) => {
    child.on('exit', (code, sig) => {
      children.delete(child);
      for (const l of listeners) l();
      res(code ?? sig ?? -1);
    });
  });
  const proc: Proc = {
    child,
    output: () => out,
    exited,
    waitFor(re, timeoutMs = 15000) {
      return new Promise((res, rej) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            cleanup();
            res(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            rej(new Error(`process exited before printing ${re}; output:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          rej(new Error(`timed out waiting for ${re}; output:\n${out}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return proc;
}

/** Runs `mempool ARGS...` to completion (for short commands such as status). */
export function mempoolSync(args: string[], env: Record<string, string> = {}, timeoutMs = 30000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, [TEST_MARK]: '1', ...env }, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Kills every process this test file started. */
export async function killAll(): Promise<void> {
  const waits = [...children].map(
    (c) =>
      new Promise<void>((res) => {
        if (c.exitCode !== null || c.signalCode !== null) return res();
        c.once('exit', () => res());
        c.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}

process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** A fresh temporary directory for one test file. */
export function tempDir(prefix = 'mempool-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A running pool: a manager and memory nodes, each its own process started through the CLI. */
export interface Cluster {
  url: string;
  manager: Proc;
  nodes: Proc[];
  /** Adds one more memory node. */
  addNode(memory?: string): Promise<Proc>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  nodes?: number;
  memory?: string;
  replicas?: number;
  chunkSize?: string;
  secret?: string;
  extraManagerArgs?: string[];
  /** Extra environment for every process of the cluster (e.g. MEMPOOL_PING_MS). */
  env?: Record<string, string>;
}

/** Starts a manager and N memory nodes on loopback and waits until all are registered. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const env: Record<string, string> = { ...(opts.secret ? { MEMPOOL_SECRET: opts.secret } : {}), ...opts.env };
  const margs = ['manager', '--listen', '127.0.0.1:0'];
  if (opts.replicas) margs.push('--replicas', String(opts.replicas));
  if (opts.chunkSize) margs.push('--chunk-size', opts.chunkSize);
  const manager = mempool([...margs, ...(opts.extraManagerArgs ?? [])], env);
  const url = defined((await manager.waitFor(/listening on (wss?:\/\/\S+)/))[1], 'the manager URL');
  const nodes: Proc[] = [];
  const addNode = async (memory = opts.memory ?? '64MiB') => {
    const n = mempool(['node', '--manager', url, '--memory', memory], env);
    await n.waitFor(/serving .* on ws/);
    nodes.push(n);
    return n;
  };
  await Promise.all(Array.from({ length: opts.nodes ?? 3 }, () => addNode()));
  return {
    url,
    manager,
    nodes,
    addNode,
    async stop() {
      await Promise.all([...nodes, manager].map((p) => p.stop('SIGKILL')));
    },
  };
}
