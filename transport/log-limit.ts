/** A log that a flood cannot fill: a token bucket of lines, and one summary line with the count of those it held back. */

export interface LogLimitOptions {
  /** Lines that may be written at once after a quiet spell. */
  burst?: number;
  /** One more line is allowed every this many ms. */
  refillMs?: number;
}

/** Wraps log so that at most `burst` lines pass at once and one more per `refillMs`; suppressed lines are counted and reported in one line. */
export function limitedLog(log: (msg: string) => void, what: string, opts: LogLimitOptions = {}): (msg: string) => void {
  const burst = opts.burst ?? 20;
  const refillMs = opts.refillMs ?? 2000;
  let tokens = burst;
  let last = Date.now();
  let suppressed = 0;
  let summary: NodeJS.Timeout | null = null;

  const refill = () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + (now - last) / refillMs);
    last = now;
  };
  const flush = () => {
    if (summary) clearTimeout(summary);
    summary = null;
    if (suppressed === 0) return;
    log(`${suppressed} more ${what} not logged (at most ${burst} lines at once, then one per ${refillMs / 1000} s)`);
    suppressed = 0;
  };
  return (msg: string) => {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      if (suppressed > 0) flush();
      log(msg);
      return;
    }
    suppressed++;
    if (!summary) {
      // Reports the count even if the flood stops and no further line comes to carry it.
      summary = setTimeout(flush, Math.max(refillMs, 5000));
      summary.unref();
    }
  };
}
