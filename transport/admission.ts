/**
 * Who may hold a socket on a listener before proving the secret: caps on connections (in total, unauthenticated,
 * unauthenticated per remote address) and one deadline from TCP accept to the end of the HMAC handshake, so idle
 * or half-open sockets cannot pile up and starve the peers that authenticate.
 */
import { Socket } from 'net';

/** Connection limits of one listener. */
export interface AdmissionLimits {
  /** Sockets open at once, authenticated or not; a new one beyond it is refused if no unauthenticated one can make room. */
  maxConnections: number;
  /** Unauthenticated sockets at once; beyond it the oldest unauthenticated one is closed to make room. */
  maxUnauthenticated: number;
  /** Unauthenticated sockets from one remote address; beyond it that address's oldest is closed. */
  maxUnauthenticatedPerAddress: number;
  /** Time from TCP accept to a completed handshake (TLS, HTTP upgrade and HMAC together); a socket still unproven then is closed. */
  authTimeoutMs: number;
}

/** Defaults: generous for a cluster's hosts, small against a flood. */
export const DEFAULT_LIMITS: AdmissionLimits = { maxConnections: 4096, maxUnauthenticated: 1024, maxUnauthenticatedPerAddress: 64, authTimeoutMs: 10_000 };

/** Environment variables that override each limit (whole numbers, e.g. a short deadline in tests). */
const ENV_NAMES: Record<keyof AdmissionLimits, string> = {
  maxConnections: 'MEMPOOL_MAX_CONNECTIONS',
  maxUnauthenticated: 'MEMPOOL_MAX_UNAUTHENTICATED',
  maxUnauthenticatedPerAddress: 'MEMPOOL_MAX_UNAUTHENTICATED_PER_ADDRESS',
  authTimeoutMs: 'MEMPOOL_AUTH_TIMEOUT_MS',
};

/** The limits: explicit options first, then the environment, then the defaults; throws on a malformed environment value. */
export function admissionLimits(given: Partial<AdmissionLimits> = {}, env: NodeJS.ProcessEnv = process.env): AdmissionLimits {
  const out: AdmissionLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(ENV_NAMES) as Array<keyof AdmissionLimits>) {
    const name = ENV_NAMES[key];
    const text = env[name]?.trim();
    if (text) {
      if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new Error(`${name} must be a whole number >= 1, got "${text}"`);
      out[key] = Number(text);
    }
    const v = given[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** One socket that has not yet proven the secret. */
interface Pending {
  socket: Socket;
  address: string;
  deadline: number;
  timer: NodeJS.Timeout;
  /** True once the HTTP upgrade happened: the handshake's own timeout (same deadline) closes it with a reason. */
  upgraded: boolean;
}

/** Tracks a listener's sockets and enforces its limits. */
export class Admission {
  private readonly limits: AdmissionLimits;
  private readonly log: (msg: string) => void;
  /** Unauthenticated sockets, oldest first, keyed by remote address and port. */
  private readonly pending = new Map<string, Pending>();
  private readonly perAddress = new Map<string, number>();
  private openCount = 0;

  constructor(limits: AdmissionLimits, log: (msg: string) => void) {
    this.limits = limits;
    this.log = log;
  }

  /** Sockets open now. */
  get open(): number {
    return this.openCount;
  }

  /** Sockets open now that have not authenticated. */
  get unauthenticated(): number {
    return this.pending.size;
  }

  /** Takes a freshly accepted TCP socket: closes it at once if over the caps (after making room where it can), else starts its deadline. */
  admit(socket: Socket): void {
    const address = socket.remoteAddress;
    const key = keyOf(socket);
    if (!address || !key) {
      socket.destroy();
      return;
    }
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxUnauthenticatedPerAddress) {
      this.evictOldest(`more than ${this.limits.maxUnauthenticatedPerAddress} unauthenticated connections from ${address}`, address);
    }
    if (this.pending.size >= this.limits.maxUnauthenticated) this.evictOldest(`more than ${this.limits.maxUnauthenticated} unauthenticated connections`);
    if (this.openCount >= this.limits.maxConnections && !this.evictOldest(`more than ${this.limits.maxConnections} connections`)) {
      this.log(`refused connection from ${address}: ${this.limits.maxConnections} connections are open`);
      socket.destroy();
      return;
    }
    this.openCount++;
    socket.once('close', () => {
      this.openCount--;
      this.forget(key);
    });
    const deadline = Date.now() + this.limits.authTimeoutMs;
    const timer = setTimeout(() => this.expire(key), this.limits.authTimeoutMs);
    timer.unref();
    this.pending.set(key, { socket, address, deadline, timer, upgraded: false });
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
  }

  /** Ms left before the deadline of the socket that was upgraded (also marks it upgraded); the whole deadline if it is not tracked. */
  upgraded(socket: Socket): number {
    const key = keyOf(socket);
    const p = key === null ? undefined : this.pending.get(key);
    if (!p) return this.limits.authTimeoutMs;
    p.upgraded = true;
    return Math.max(0, p.deadline - Date.now());
  }

  /** The socket proved the secret: its deadline no longer applies, and it no longer counts as unauthenticated. */
  authenticated(socket: Socket): void {
    const key = keyOf(socket);
    if (key !== null) this.forget(key);
  }

  /** Stops every deadline (the listener is closing its sockets anyway). */
  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.perAddress.clear();
  }

  private forget(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(key);
    const n = (this.perAddress.get(p.address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(p.address);
    else this.perAddress.set(p.address, n);
  }

  /** Closes the oldest unauthenticated socket (from `address` if given); false if there is none. */
  private evictOldest(why: string, address?: string): boolean {
    for (const [key, p] of this.pending) {
      if (address !== undefined && p.address !== address) continue;
      this.log(`closed an unauthenticated connection from ${p.address}: ${why}`);
      this.forget(key);
      p.socket.destroy();
      return true;
    }
    return false;
  }

  /** The deadline passed: an upgraded socket gets a moment for the handshake's own timeout to close it with a reason; any other is closed now. */
  private expire(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    if (p.upgraded) {
      p.upgraded = false;
      p.timer = setTimeout(() => this.expire(key), 2000);
      p.timer.unref();
      return;
    }
    this.log(`closed connection from ${p.address}: not authenticated within ${this.limits.authTimeoutMs} ms`);
    this.forget(key);
    p.socket.destroy();
  }
}

/** A connection's identity while open: remote address and port (a TLS socket shares them with its TCP socket). */
function keyOf(socket: Socket): string | null {
  return socket.remoteAddress && socket.remotePort !== undefined ? `${socket.remoteAddress}|${socket.remotePort}` : null;
}
