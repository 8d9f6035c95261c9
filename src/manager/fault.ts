/** Test hook: MEMPOOL_FAULT_CRASH_AFTER names points (e.g. ReplicaReplace) where the manager dies as with kill -9, to test recovery from that crash window. */

const points = new Set(
  (process.env.MEMPOOL_FAULT_CRASH_AFTER ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== ''),
);

/** Kills this process at once (SIGKILL: no cleanup, nothing flushed) when the named point is listed in MEMPOOL_FAULT_CRASH_AFTER. */
export function crashPoint(name: string, log: (msg: string) => void): void {
  if (!points.has(name)) return;
  log(`fault injection: crashing after ${name}`);
  process.kill(process.pid, 'SIGKILL');
}
