/** Reads `mempool status URL --json` through the real CLI, and waits for usage figures to settle. */
import { PoolStatus } from '../../src';
import { mempoolSync } from './procs';

/** Runs `mempool status URL --json` and parses its output; throws with the CLI's stderr on failure. */
export function cliStatus(url: string, env: Record<string, string> = {}): PoolStatus {
  const r = mempoolSync(['status', url, '--json'], env);
  if (r.code !== 0) throw new Error(`mempool status exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as PoolStatus;
}

/** Polls status until pred holds or timeoutMs passes, and returns the last status (chunk deletion is asynchronous). */
export async function statusWhen(url: string, pred: (st: PoolStatus) => boolean, timeoutMs = 5000, env: Record<string, string> = {}): Promise<PoolStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = cliStatus(url, env);
    if (pred(st) || Date.now() > deadline) return st;
    await new Promise((r) => setTimeout(r, 200));
  }
}
