/**
 * The client's link to the manager: metadata calls stall across a manager restart, a takeover or a dropped link
 * instead of failing. A call that fails because the link went down, or that got no reply in time (a stopped or
 * hung leader), is sent again on the next link, up to the manager timeout; past it the call fails with EIO, like
 * an NFS hard mount with a limit. A link that let a call time out is dropped first, so the retry goes to a fresh
 * link (and, with several managers, on to the leader). Calls that change the namespace carry a request id, so the
 * manager applies each only once and answers a retry with the first outcome (waiting for it if it still runs).
 * Lease renewals and releases and Release are not retried: renewals have their own deadline, and open handles
 * are counted again as a whole when the link comes back.
 */
import { Errno, FsError } from '../errors';
import { Link, Meta, ONCE, Peer, READ_ONLY } from '../../transport';
import type { Cred } from '../types';

/** Failures after which a call is sent again on the next link: the link went down, or no reply came in time. */
const RETRY = new Set<number>([Errno.ENOTCONN, Errno.ETIMEDOUT]);
/** A call's own timeout when its caller gives none (the peer's default). */
const REQUEST_MS = 10_000;

/** Default time a call waits through a manager outage before failing (like an NFS hard mount with a limit). */
export const DEFAULT_MANAGER_TIMEOUT_MS = 60_000;

/** A Link to the manager that retries metadata calls across reconnections, with request ids. */
export class ManagerLink extends Link {
  private nextRid = 1;
  private closedForGood = false;
  private readonly managerTimeoutMs: number;
  /** The credentials every request carries unless it names its own (the manager checks permissions with them). */
  private readonly cred: Cred | undefined;

  constructor(url: string, opts: ConstructorParameters<typeof Link>[1] & { managerTimeoutMs?: number; cred?: Cred }) {
    super(url, opts);
    this.managerTimeoutMs = opts.managerTimeoutMs ?? DEFAULT_MANAGER_TIMEOUT_MS;
    this.cred = opts.cred;
  }

  /** The manager timeout of this link, ms. */
  get timeoutMs(): number {
    return this.managerTimeoutMs;
  }

  /**
   * Sends a request; a link that goes down (ENOTCONN) or lets it time out (ETIMEDOUT: the link is then dropped) makes
   * it wait for the next link and go again, until the manager timeout, after which it fails with EIO.
   */
  override async request(type: number, meta: Meta = {}, data?: Buffer, timeoutMs?: number): Promise<{ meta: Meta; data: Buffer }> {
    if (this.cred && meta.cred === undefined) meta = { ...meta, cred: this.cred };
    if (!ONCE.has(type) && !READ_ONLY.has(type)) return super.request(type, meta, data, timeoutMs);
    const m = ONCE.has(type) ? { ...meta, rid: this.nextRid++ } : meta;
    const deadline = Date.now() + this.managerTimeoutMs;
    for (;;) {
      let peer: Peer | null = null;
      try {
        const wait = Math.max(1, Math.min(timeoutMs ?? REQUEST_MS, deadline - Date.now()));
        peer = await this.peer(wait);
        return await peer.request(type, m, data, Math.max(wait, Math.min(timeoutMs ?? REQUEST_MS, deadline - Date.now())));
      } catch (err) {
        if (!(err instanceof FsError) || !RETRY.has(err.errno) || this.closedForGood) throw err;
        // No reply in time: the manager is stopped, hung or cut off; a fresh link finds it again, or the next leader.
        if (err.errno === Errno.ETIMEDOUT && peer && !peer.closed) peer.terminate(`no reply from the manager in time: ${err.message}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new FsError('EIO', `no manager answered within ${Math.round(this.managerTimeoutMs / 1000)} s (--manager-timeout): ${err.message}`);
        await new Promise((r) => setTimeout(r, Math.min(left, 100)));
      }
    }
  }

  /** Closes the link for good (calls waiting to be retried then fail). */
  override close(): void {
    this.closedForGood = true;
    super.close();
  }
}
