/**
 * A benchmark pool: a manager and memory nodes started through the built CLI
 * as separate processes (as test/helpers/procs.ts does, but resolving the CLI
 * from dist/bench and without the test marker, so a concurrent jest teardown
 * does not kill a running benchmark). BENCH_NODE_ARGS adds node flags to every
 * process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { ChildProcess, spawn } from 'child_process';
import { resolve } from 'path';
import { onCleanup } from './cleanup';

/** The built CLI, next to this file's output folder (dist/bench → dist/src/cli/main.js). */
export const CLI = resolve(__dirname, '../src/cli/main.js');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Extra node flags for child processes, from BENCH_NODE_ARGS. */
export function childNodeArgs(): string[] {
  return (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** Spawns a node script with arguments and resolves with the child and the first match of `ready` in its output. */
export function spawnReady(script: string, args: string[], ready: RegExp, timeoutMs = 15000): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [...childNodeArgs(), script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => fail(new Error(`timed out waiting for ${ready} from ${script}; output:\n${out}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      rej(err);
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 65536) out = out.slice(-65536);
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        res({ child, match: m });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, sig) => fail(new Error(`${script} exited (${code ?? sig}) before ready; output:\n${out}`)));
  });
}

/** Stops a child: SIGTERM (so --cpu-prof can write its profile), SIGKILL after graceMs. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every child process this module started (used on errors and on SIGINT). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, 1000)));
}

/** A running benchmark pool. */
export interface BenchCluster {
  url: string;
  /** The manager's process id (for its RSS). */
  managerPid: number;
  stop(): Promise<void>;
}

/** Starts `mempool manager --replicas R` (plus managerArgs) and `nodes` memory nodes of `memory` each; resolves when all are registered. */
export async function startBenchCluster(opts: { nodes: number; memory: string; replicas: number; managerArgs?: string[] }): Promise<BenchCluster> {
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
  };
  const unregister = onCleanup(stop);
  try {
    const m = await spawnReady(CLI, ['manager', '--listen', '127.0.0.1:0', '--replicas', String(opts.replicas), ...(opts.managerArgs ?? [])], /listening on (ws:\/\/\S+)/);
    children.push(m.child);
    const url = m.match[1];
    if (url === undefined) throw new Error('the manager did not print its URL');
    const nodes = await Promise.all(Array.from({ length: opts.nodes }, () => spawnReady(CLI, ['node', '--manager', url, '--memory', opts.memory], /serving .* on ws/)));
    children.push(...nodes.map((n) => n.child));
    return {
      url,
      managerPid: m.child.pid ?? 0,
      async stop() {
        unregister();
        await stop();
      },
    };
  } catch (err) {
    unregister();
    await stopAllChildren();
    throw err;
  }
}
