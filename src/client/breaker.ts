/**
 * A per-node circuit breaker for chunk calls: a node that did not answer within the deadline is skipped for a
 * cool-down (doubling on each failure, up to a limit), so later calls do not pay the timeout again; after the
 * cool-down one call may probe it, and an answer closes the breaker.
 */

/** First cool-down after a failure. */
const BASE_MS = 2_000;
/** Longest cool-down. */
const MAX_MS = 30_000;

/** Node ids whose calls fail at once for now. */
export class Breaker {
  private readonly tripped = new Map<string, { until: number; backoffMs: number }>();

  /** True while calls to the node should not be tried. */
  isOpen(id: string): boolean {
    const s = this.tripped.get(id);
    return !!s && performance.now() < s.until;
  }

  /** Records a failure to answer: the node is skipped for the next cool-down. */
  trip(id: string): void {
    const s = this.tripped.get(id);
    const backoffMs = s ? Math.min(s.backoffMs * 2, MAX_MS) : BASE_MS;
    this.tripped.set(id, { until: performance.now() + backoffMs, backoffMs });
  }

  /** Records an answer: the node is trusted again. */
  ok(id: string): void {
    this.tripped.delete(id);
  }

  /** The ids with the ones not tripped first (a tripped one is tried only when nothing else is left). */
  order(ids: string[]): string[] {
    return [...ids.filter((id) => !this.isOpen(id)), ...ids.filter((id) => this.isOpen(id))];
  }
}

/** Rejects with ETIMEDOUT-like error `timeout()` when p has not settled within ms; p's own later failure is ignored. */
export function withDeadline<T>(p: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => undefined);
  return Promise.race([
    p,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(timeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
