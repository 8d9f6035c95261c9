/** The memory nodes known to the manager: their links, capacity and last reported usage. */
import { Peer } from '../../transport';
import { NodeStatus } from '../types';
import { PlacementCandidate } from './placement';

/** One memory node as the manager tracks it. */
export interface Member {
  id: string;
  url: string;
  capacity: number;
  used: number;
  allocated: number;
  chunks: number;
  /** The node's link to the manager, null while it is down. */
  peer: Peer | null;
  /** When its link went down (ms since the epoch), 0 while up. */
  downSince: number;
}

/** Usage figures a node reports. */
export interface NodeUsage {
  used: number;
  allocated: number;
  chunks: number;
}

/** How long one candidates list serves placement. */
const CANDIDATES_MS = 500;

/** Registry of memory nodes; a node is alive while its link is up. */
export class Membership {
  private readonly nodes = new Map<string, Member>();
  /** The last candidates list and when it was made: reused while fresh, so placement prepares it once for many chunks. */
  private cached: { at: number; list: PlacementCandidate[] } | null = null;

  /** Adds a node, or brings a known one back, on a new link. */
  join(id: string, url: string, capacity: number, peer: Peer): Member {
    const m = this.nodes.get(id) ?? { id, url, capacity, used: 0, allocated: 0, chunks: 0, peer, downSince: 0 };
    m.url = url;
    m.capacity = capacity;
    m.peer = peer;
    m.downSince = 0;
    this.nodes.set(id, m);
    this.cached = null;
    return m;
  }

  /** Marks a node down when its link closes (its chunks stay recorded; replicas elsewhere serve them). */
  leave(id: string, peer: Peer): void {
    const m = this.nodes.get(id);
    if (m && m.peer === peer) {
      m.peer = null;
      m.downSince = Date.now();
      this.cached = null;
    }
  }

  /** Records a node's reported usage. */
  report(id: string, usage: NodeUsage): void {
    const m = this.nodes.get(id);
    if (m) Object.assign(m, usage);
  }

  /** A node by id. */
  get(id: string): Member | undefined {
    return this.nodes.get(id);
  }

  /** True when the node's link is up. */
  isAlive(id: string): boolean {
    const p = this.nodes.get(id)?.peer;
    return !!p && !p.closed;
  }

  /** Nodes whose link is up. */
  alive(): Member[] {
    return [...this.nodes.values()].filter((m) => m.peer && !m.peer.closed);
  }

  /** Every node ever seen, alive or not. */
  all(): Member[] {
    return [...this.nodes.values()];
  }

  /** Live nodes with their free bytes, for placement: one list while nothing joined or left, made again after CANDIDATES_MS (usage moves). */
  candidates(): PlacementCandidate[] {
    const now = performance.now();
    if (this.cached && now - this.cached.at < CANDIDATES_MS) return this.cached.list;
    const list = this.alive().map((m) => ({ id: m.id, free: m.capacity - m.allocated }));
    this.cached = { at: now, list };
    return list;
  }

  /** Status line of one node. */
  statusOf(m: Member): NodeStatus {
    return { id: m.id, url: m.url, capacity: m.capacity, used: m.used, allocated: m.allocated, chunks: m.chunks, alive: this.isAlive(m.id) };
  }
}
