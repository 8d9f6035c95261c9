/** Chunk placement: weighted rendezvous (highest-random-weight) hashing over live memory nodes. */

/** A node that may receive a chunk replica, with its free bytes (the placement weight). */
export interface PlacementCandidate {
  id: string;
  /** Free bytes on that node. */
  free: number;
}

// Local copies: global lookups are slow inside vm contexts (jest), and this runs per node per chunk.
const imul = Math.imul;
const ln = Math.log;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const TWO_POW_26 = 2 ** 26;
const TWO_POW_32 = 2 ** 32;
const TWO_POW_53 = 2 ** 53;

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

/** Uniform value in (0,1) with 53 bits of entropy from two independent 32-bit hashes of (node, ino, index). */
function uniform(nodeA: number, nodeB: number, inoLo: number, inoHi: number, index: number): number {
  const a = fmix(mix(mix(mix(nodeA, inoLo), inoHi), index) ^ 12);
  const b = fmix(mix(mix(mix(nodeB, index), inoLo), inoHi) ^ 12);
  // 27 high bits of a, 26 high bits of b; the +0.5 keeps u strictly inside (0,1).
  return ((a >>> 5) * TWO_POW_26 + (b >>> 6) + 0.5) / TWO_POW_53;
}

/**
 * Picks up to `count` distinct nodes for chunk (ino, index): weighted rendezvous hashing, stable while membership is stable.
 * Each node scores free / -ln(u) with u a hash of (node, ino, index), so a node wins with probability proportional
 * to its free bytes and membership changes only move chunks whose top nodes changed. Nodes with free <= 0 are never
 * chosen. Returns ids ordered by score, best first (ties broken by id), fewer than `count` if too few nodes qualify.
 */
export function placeChunk(ino: number, index: number, candidates: PlacementCandidate[], count: number): string[] {
  if (count <= 0) return [];
  const inoLo = ino >>> 0;
  const inoHi = Math.floor(ino / TWO_POW_32) >>> 0;
  const idx = index >>> 0;
  const scored: { id: string; score: number }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (!(c.free > 0) || seen.has(c.id)) continue;
    seen.add(c.id);
    const u = uniform(hashString(c.id, 0x9747b28c), hashString(c.id, 0x5bd1e995), inoLo, inoHi, idx);
    scored.push({ id: c.id, score: (c.free < 1 ? 1 : c.free) / -ln(u) });
  }
  scored.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const n = Math.min(count, scored.length);
  const out: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = scored[i]!.id; // i < n <= scored.length
  return out;
}
