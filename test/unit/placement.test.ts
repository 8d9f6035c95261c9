import { defined } from '../helpers/defined';
import { placeChunk, PlacementCandidate } from '../../src/manager/placement';

const GiB = 1024 ** 3;

/** Equal-capacity candidates named n0..n(k-1). */
function nodes(k: number, free = GiB): PlacementCandidate[] {
  return Array.from({ length: k }, (_, i) => ({ id: `n${i}`, free }));
}

/** Every (ino, index) for ino in 1..inos and index in 0..perIno-1. */
function chunks(inos: number, perIno: number): [number, number][] {
  const out: [number, number][] = [];
  for (let ino = 1; ino <= inos; ino++) for (let index = 0; index < perIno; index++) out.push([ino, index]);
  return out;
}

describe('placeChunk', () => {
  it('returns distinct replicas, best first', () => {
    const cand = nodes(5);
    for (const [ino, index] of chunks(10, 50)) {
      const r = placeChunk(ino, index, cand, 3);
      expect(r).toHaveLength(3);
      expect(new Set(r).size).toBe(3);
      // The first choice at count 1 is the first element at higher counts.
      expect(placeChunk(ino, index, cand, 1)).toEqual([r[0]]);
    }
  });

  it('returns all nodes when count exceeds the node count', () => {
    const r = placeChunk(7, 3, nodes(3), 5);
    expect([...r].sort()).toEqual(['n0', 'n1', 'n2']);
    expect(placeChunk(7, 3, [], 2)).toEqual([]);
    expect(placeChunk(7, 3, nodes(3), 0)).toEqual([]);
  });

  it('ignores duplicate candidate ids', () => {
    const r = placeChunk(1, 1, [...nodes(2), ...nodes(2)], 4);
    expect([...r].sort()).toEqual(['n0', 'n1']);
  });

  it('is deterministic and independent of candidate order', () => {
    const cand = nodes(6);
    const reversed = [...cand].reverse();
    for (const [ino, index] of chunks(5, 40)) {
      const a = placeChunk(ino, index, cand, 2);
      expect(placeChunk(ino, index, cand, 2)).toEqual(a);
      expect(placeChunk(ino, index, reversed, 2)).toEqual(a);
    }
  });

  it('moves roughly 1/4 of first choices when a 4th equal node joins', () => {
    const three = nodes(3);
    const four = nodes(4);
    const all = chunks(10, 100);
    let moved = 0;
    for (const [ino, index] of all) {
      const before = placeChunk(ino, index, three, 1)[0];
      const after = placeChunk(ino, index, four, 1)[0];
      if (before !== after) {
        moved++;
        expect(after).toBe('n3'); // chunks only move to the new node
      }
    }
    const frac = moved / all.length;
    expect(frac).toBeGreaterThan(0.15);
    expect(frac).toBeLessThan(0.35);
  });

  it('moves only chunks that were on a removed node', () => {
    const four = nodes(4);
    const three = four.filter((n) => n.id !== 'n2');
    for (const [ino, index] of chunks(10, 100)) {
      const before = placeChunk(ino, index, four, 2);
      const after = placeChunk(ino, index, three, 2);
      if (!before.includes('n2')) expect(after).toEqual(before);
      else expect(after).toEqual(expect.arrayContaining(before.filter((id) => id !== 'n2')));
    }
  });

  it('balances 1,000 chunks x 2 replicas over 3 equal nodes', () => {
    const counts = new Map<string, number>();
    for (const [ino, index] of chunks(10, 100)) {
      for (const id of placeChunk(ino, index, nodes(3), 2)) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const mean = 2000 / 3;
    expect(counts.size).toBe(3);
    for (const c of counts.values()) expect(c).toBeLessThanOrEqual(1.25 * mean);
  });

  it('balances first choices over 10 equal nodes for large inode numbers', () => {
    const cand = nodes(10);
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const id = defined(placeChunk(2 ** 40 + i * 7919, i % 3, cand, 1)[0], 'a placement');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const c of counts.values()) {
      expect(c).toBeGreaterThan(800);
      expect(c).toBeLessThan(1200);
    }
  });

  it('weights choices by free capacity', () => {
    const cand: PlacementCandidate[] = [
      { id: 'big', free: 3 * GiB },
      { id: 'small', free: GiB },
    ];
    let big = 0;
    let small = 0;
    for (const [ino, index] of chunks(100, 100)) {
      if (placeChunk(ino, index, cand, 1)[0] === 'big') big++;
      else small++;
    }
    expect(big).toBeGreaterThan(2 * small);
    expect(big / (big + small)).toBeGreaterThan(0.7);
    expect(big / (big + small)).toBeLessThan(0.8);
  });

  it('never chooses nodes with no free space', () => {
    const cand: PlacementCandidate[] = [
      { id: 'full', free: 0 },
      { id: 'over', free: -5 },
      { id: 'a', free: 10 },
      { id: 'b', free: GiB },
    ];
    for (const [ino, index] of chunks(10, 100)) {
      const r = placeChunk(ino, index, cand, 3);
      expect([...r].sort()).toEqual(['a', 'b']);
    }
    expect(placeChunk(1, 0, [{ id: 'full', free: 0 }], 1)).toEqual([]);
  });

  it('places 100k chunks over 10 nodes, each on 2 distinct nodes (speed is measured by the core bench, not asserted here)', () => {
    const cand = nodes(10);
    for (let i = 0; i < 100_000; i++) {
      const r = placeChunk(1 + (i >> 7), i & 127, cand, 2);
      if (r.length !== 2 || r[0] === r[1]) throw new Error(`chunk ${i}: bad placement ${r.join(',')}`);
    }
  });
});

describe('placement at 1,000 nodes (simulation)', () => {
  const thousand = Array.from({ length: 1000 }, (_, i) => ({ id: `node-${i.toString(16).padStart(8, '0')}-0000-4000-8000-${i}`, free: 16 * GiB }));
  const all = chunks(200, 100); // 20,000 chunks

  it('balances 20,000 chunks x 2 replicas: every node within 0.4x..1.75x of the mean (Poisson spread at 40 per node)', () => {
    const counts = new Map<string, number>();
    for (const [ino, index] of all) for (const id of placeChunk(ino, index, thousand, 2)) counts.set(id, (counts.get(id) ?? 0) + 1);
    const mean = (2 * all.length) / thousand.length;
    expect(counts.size).toBeGreaterThan(990);
    for (const c of counts.values()) {
      expect(c).toBeGreaterThan(0.4 * mean);
      expect(c).toBeLessThan(1.75 * mean);
    }
  });

  it('a join moves about 1/N of the replicas, all of them to the new node', () => {
    const joined = [...thousand, { id: 'newcomer', free: 16 * GiB }];
    let moved = 0;
    for (const [ino, index] of all) {
      const before = placeChunk(ino, index, thousand, 2);
      const after = placeChunk(ino, index, joined, 2);
      for (const id of after)
        if (!before.includes(id)) {
          moved++;
          expect(id).toBe('newcomer');
        }
    }
    const frac = moved / (2 * all.length);
    expect(frac).toBeGreaterThan(0.2 / 1001);
    expect(frac).toBeLessThan(3 / 1001);
  });

  it('costs a few microseconds per chunk (the bench measures it; bounded loosely here for a loaded machine)', () => {
    for (let i = 0; i < 2000; i++) placeChunk(i, 0, thousand, 2); // warm up
    const n = 20_000;
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) placeChunk(1 + (i >> 7), i & 127, thousand, 2);
    const used = process.cpuUsage(t0);
    const usPerChunk = (used.user + used.system) / n;
    console.log(`placement at 1,000 nodes: ${usPerChunk.toFixed(2)} µs of CPU per chunk`);
    expect(usPerChunk).toBeLessThan(40);
  });
});
