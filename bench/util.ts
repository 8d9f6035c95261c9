/** Small timing and concurrency helpers shared by the benchmark suites. */

/** Seconds since an arbitrary origin, from the monotonic clock. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Runs fn and returns the elapsed seconds. */
export async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = now();
  await fn();
  return now() - t0;
}

/** Runs job(i) for i in [0, count) with at most `width` in flight, the way a queue depth is applied. */
export async function lanes(count: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const one = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, one));
}

/** Repeats job with `width` lanes until `seconds` have passed; returns operations completed and elapsed seconds. */
export async function forDuration(seconds: number, width: number, job: (i: number) => Promise<void>): Promise<{ ops: number; seconds: number }> {
  const t0 = now();
  const stopAt = t0 + seconds;
  let ops = 0;
  const one = async () => {
    while (now() < stopAt) await job(ops++);
  };
  await Promise.all(Array.from({ length: width }, one));
  return { ops, seconds: now() - t0 };
}
