/**
 * Who may register with the manager: a memory node's hello must name a URL of the manager's own scheme, and every
 * node or client id stays bound to the identity key of the process that first proved it (a duplicate live id is
 * refused; the same process reconnects freely). Operators need no id.
 */
import type { Hello } from '../../transport';

export class Identities {
  /** "role id" → the identity key (public key) of the process holding that id. */
  private readonly keys = new Map<string, string>();

  /** @param scheme the scheme the manager listens with: nodes must serve clients the same way (no ws:// data in a wss:// pool). */
  constructor(private readonly scheme: 'ws' | 'wss') {}

  /** Why a peer with this hello is refused, or null when it is admitted (its id then bound to its key). */
  refusal(h: Hello): string | null {
    if (h.role === 'node') {
      if (!h.id || !h.url || h.capacity === undefined) return 'a memory node must send its id, url and capacity';
      if (!/^wss?:\/\//.test(h.url)) return `memory node url ${h.url} is not a ws:// or wss:// URL`;
      if (!h.url.startsWith(`${this.scheme}://`)) return `memory node url ${h.url} does not match the manager's ${this.scheme}:// scheme (give the node --tls-cert/--tls-key as the manager has)`;
      return this.claim(h);
    }
    if (h.role === 'client') return this.claim(h);
    return h.role === 'operator' ? null : `role ${h.role} is not served by the manager`;
  }

  /** Frees a client id nothing is held under any more (its session ended). */
  releaseClient(id: string): void {
    this.keys.delete(`client ${id}`);
  }

  /** Binds h's id to its identity key, unless another process holds that id. */
  private claim(h: Hello): string | null {
    if (!h.id) return `a ${h.role} must send its id`;
    if (!h.key) return `a ${h.role} must prove its id with an identity key (an older mempool? upgrade it)`;
    const k = `${h.role} ${h.id}`;
    const bound = this.keys.get(k);
    if (bound !== undefined && bound !== h.key) return `${h.role} id ${h.id} is in use by another process: a duplicate id is refused`;
    this.keys.set(k, h.key);
    return null;
  }
}
