/** Chunk placement: weighted rendezvous (highest-random-weight) hashing over live memory nodes. */

/** A node that may receive a chunk replica, with its free bytes (the placement weight). */
export interface PlacementCandidate {
  id: string;
  /** Free bytes on that node. */
  free: number;
}

// Local copies: global lookups are slow inside vm contexts (jest), and this runs per node per chunk.
const imul = Math.imul;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const TWO_POW_32 = 2 ** 32;

/** Mixes one 32-bit word into a murmur3 state (the murmur3_32 body step). */
function mix(h: number, k: number): number {
  k = imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finalizer: avalanches every input bit over the 32-bit result. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** murmur3_32 of a string's UTF-16 code units with a seed; used once per node id per call. */
function hashString(s: string, seed: number): number {
  let h = seed | 0;
  let i = 0;
  for (; i + 1 < s.length; i += 2) h = mix(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < s.length) {
    let k = s.charCodeAt(i);
    k = imul(k, C1);
    k = (k << 15) | (k >>> 17);
    h ^= imul(k, C2);
  }
  return fmix(h ^ (s.length * 2));
}

/** Each node id's hash, computed once per id (ids are few; the table is cleared if it ever grows past NODE_HASHES). */
const nodeHashes = new Map<string, number>();
const NODE_HASHES = 1 << 16;

function nodeHash(id: string): number {
  let h = nodeHashes.get(id);
  if (h === undefined) {
    if (nodeHashes.size >= NODE_HASHES) nodeHashes.clear();
    h = hashString(id, 0x9747b28c) ^ imul(hashString(id, 0x5bd1e995), 0x27d4eb2f);
    nodeHashes.set(id, h);
  }
  return h;
}

const LN2 = Math.LN2;
const clz32 = Math.clz32;

/**
 * -ln(u) for u = (h + 0.5) / 2^32, h a 32-bit hash, to a relative error below 3e-5, without Math.log (this runs once
 * per node per chunk). Below u = 1/2: the exponent from clz32 and a polynomial for the mantissa's ln; above it,
 * -ln(1-t) = 2 atanh(t / (2 - t)) by its series, accurate where the value is small (the best scores).
 */
function negLnUnit(h: number): number {
  const x = h + 0.5;
  if (h < 0x80000000) {
    const e = 31 - clz32(h | 1); // 2^e <= x < 2^(e+1), e <= 30
    const m = x / 2 ** e - 1; // in [0, 1)
    const ln1p = m * (0.99949556 + m * (-0.49190896 + m * (0.28947478 + m * (-0.13606275 + m * 0.03215845))));
    return (32 - e) * LN2 - ln1p;
  }
  const t = (TWO_POW_32 - x) / TWO_POW_32; // in (0, 1/2]
  const z = t / (2 - t); // <= 1/3
  const z2 = z * z;
  return 2 * z * (1 + z2 * (1 / 3 + z2 * (1 / 5 + z2 * (1 / 7 + z2 / 9))));
}

/** Candidates prepared once for many placements: ids, their hashes and weights (nodes without room left out, duplicates once). */
export class PreparedCandidates {
  readonly ids: string[] = [];
  readonly hashes: Int32Array;
  readonly weights: Float64Array;
  /** The largest weight: bounds every node's score from one hash compare, so most nodes cost no logarithm. */
  private readonly maxWeight: number;

  constructor(candidates: readonly PlacementCandidate[]) {
    const seen = new Set<string>();
    const weights: number[] = [];
    for (const c of candidates) {
      if (!(c.free > 0) || seen.has(c.id)) continue;
      seen.add(c.id);
      this.ids.push(c.id);
      weights.push(c.free < 1 ? 1 : c.free);
    }
    this.hashes = Int32Array.from(this.ids, nodeHash);
    this.weights = Float64Array.from(weights);
    this.maxWeight = weights.reduce((a, b) => Math.max(a, b), 0);
  }

  /**
   * Up to `count` distinct nodes for chunk (ino, index), best first: each node scores weight / -ln(u), u a hash of
   * (node, ino, index), and the best `count` are kept in a small sorted array as the nodes go by (no sort of all).
   */
  place(ino: number, index: number, count: number): string[] {
    const n = this.ids.length;
    const k = Math.min(count, n);
    if (k <= 0) return [];
    const chunk = fmix(mix(mix(mix(0x3c6ef372, ino >>> 0), Math.floor(ino / TWO_POW_32) >>> 0), index >>> 0) ^ 12);
    const bestScore = new Float64Array(k).fill(-1);
    const bestAt = new Int32Array(k).fill(-1);
    const hashes = this.hashes;
    const weights = this.weights;
    const ids = this.ids;
    // A node can beat the k-th best score s only if maxWeight / -ln(u) > s, i.e. its hash is above 2^32 e^(-maxWeight/s):
    // below that bound (kept a little low for the approximations) it is skipped with one compare.
    let floor = -1;
    for (let i = 0; i < n; i++) {
      const h = fmix(hashes[i]! ^ chunk); // i < n: inside both arrays
      if (h < floor) continue;
      const score = weights[i]! / negLnUnit(h);
      const last = bestScore[k - 1]!; // -1 while the slot is empty: every score is above it
      if (score < last || (score === last && ids[i]! > ids[bestAt[k - 1]!]!)) continue;
      let j = k - 1;
      while (j > 0 && (bestScore[j - 1]! < score || (bestScore[j - 1] === score && ids[bestAt[j - 1]!]! > ids[i]!))) {
        bestScore[j] = bestScore[j - 1]!;
        bestAt[j] = bestAt[j - 1]!;
        j--;
      }
      bestScore[j] = score;
      bestAt[j] = i;
      const kth = bestScore[k - 1]!;
      if (kth > 0) floor = TWO_POW_32 * Math.exp((-this.maxWeight / kth) * (1 + 1e-4)) - 1;
    }
    const out = new Array<string>(k);
    for (let j = 0; j < k; j++) out[j] = ids[bestAt[j]!]!; // every slot was filled: k <= n
    return out;
  }
}

/** Prepared forms of candidate arrays a caller passes again (the manager's membership keeps one array while nothing changes). */
const prepared = new WeakMap<readonly PlacementCandidate[], PreparedCandidates>();

/**
 * Picks up to `count` distinct nodes for chunk (ino, index): weighted rendezvous (highest-random-weight) hashing,
 * stable while membership is stable. A node wins with probability proportional to its free bytes, and membership
 * changes move only chunks whose top nodes changed (about 1/N per join). Nodes with free <= 0 are never chosen.
 * Returns ids ordered by score, best first (ties broken by id), fewer than `count` if too few nodes qualify.
 * The same candidates array passed again is not prepared again (per-node hashes are computed once per id anyway).
 */
export function placeChunk(ino: number, index: number, candidates: readonly PlacementCandidate[], count: number): string[] {
  if (count <= 0) return [];
  let p = prepared.get(candidates);
  if (!p) prepared.set(candidates, (p = new PreparedCandidates(candidates)));
  return p.place(ino, index, count);
}
