/** Running external commands from a benchmark, asynchronously (the event loop stays free for SIGINT and for child output). */
import { execFile } from 'child_process';
import { now } from './util';

/** What a finished command printed, and how long it ran. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to completion; rejects with its stderr when it fails (non-zero exit or signal) or times out. */
export function exec(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  const t0 = now();
  return new Promise((res, rej) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const seconds = now() - t0;
      if (err) rej(new Error(`${cmd} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      else res({ stdout: String(stdout), stderr: String(stderr), seconds });
    });
  });
}

/** Runs a shell command line (sh -c) to completion; see exec. */
export function sh(line: string, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return exec('sh', ['-c', line], opts);
}
