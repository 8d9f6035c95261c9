/**
 * The client's link to the manager: metadata calls stall across a manager restart or a dropped link instead
 * of failing. A call that fails because the link went down is sent again once it is back, up to the manager
 * timeout; calls that change the namespace carry a request id, so the manager applies each only once and
 * answers a retry with the first outcome. Lease renewals and releases and Release are not retried: renewals
 * have their own deadline, and open handles are counted again as a whole when the link comes back.
 */
import { Errno, FsError } from '../errors';
import { Link, Meta, ONCE, READ_ONLY } from '../../transport';

/** Default time a call waits through a manager outage before failing (like an NFS hard mount with a limit). */
export const DEFAULT_MANAGER_TIMEOUT_MS = 60_000;

/** A Link to the manager that retries metadata calls across reconnections, with request ids. */
export class ManagerLink extends Link {
  private nextRid = 1;
  private closedForGood = false;
  private readonly managerTimeoutMs: number;

  constructor(url: string, opts: ConstructorParameters<typeof Link>[1] & { managerTimeoutMs?: number }) {
    super(url, opts);
    this.managerTimeoutMs = opts.managerTimeoutMs ?? DEFAULT_MANAGER_TIMEOUT_MS;
  }

  /** Sends a request; a link that goes down (ENOTCONN) makes it wait for the next link and go again, until the manager timeout. */
  override async request(type: number, meta: Meta = {}, data?: Buffer, timeoutMs?: number): Promise<{ meta: Meta; data: Buffer }> {
    if (!ONCE.has(type) && !READ_ONLY.has(type)) return super.request(type, meta, data, timeoutMs);
    const m = ONCE.has(type) ? { ...meta, rid: this.nextRid++ } : meta;
    const deadline = Date.now() + this.managerTimeoutMs;
    for (;;) {
      try {
        return await super.request(type, m, data, timeoutMs);
      } catch (err) {
        const left = deadline - Date.now();
        if (!(err instanceof FsError && err.errno === Errno.ENOTCONN) || left <= 0 || this.closedForGood) throw err;
        await new Promise((r) => setTimeout(r, Math.min(left, 100)));
        await this.peer(Math.max(1, deadline - Date.now())).catch(() => undefined);
      }
    }
  }

  /** Closes the link for good (calls waiting to be retried then fail). */
  override close(): void {
    this.closedForGood = true;
    super.close();
  }
}
