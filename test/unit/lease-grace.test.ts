/** Issue 10 item 4: after a restart or takeover, no conflicting lease before term + margin unless the holder reclaims it. */
import { LeaseMode, LeaseTable } from '../../src/manager/lease-table';

/** A lease table (term 300 ms, margin 100 ms) whose recalls are answered at once and counted. */
function table(): { t: LeaseTable; recalls: string[] } {
  const recalls: string[] = [];
  const t = new LeaseTable({
    termMs: 300,
    marginMs: 100,
    recall: async (c, ino) => {
      recalls.push(`${c}:${ino}`);
    },
    fence: async () => undefined,
  });
  return { t, recalls };
}

describe('lease grace after a restart', () => {
  test('with nobody reclaiming, a grant waits until term + margin have passed since the start', async () => {
    const { t } = table();
    t.startGrace();
    const t0 = performance.now();
    await t.acquire(5, 'b', LeaseMode.Write);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(380);
    expect(t.inGrace()).toBe(false);
  });

  test('a reclaimed WRITE lease is held at once: a conflicting grant recalls it instead of outwaiting the grace', async () => {
    const { t, recalls } = table();
    t.startGrace();
    expect(t.reclaim('a', [[5, LeaseMode.Write]])).toEqual([[5, 1]]);
    expect(t.holdsWrite(5, 'a')).toBe(true);
    // the holder itself renews and acquires without waiting
    expect(t.renew('a', [5])).toEqual([]);
    const t0 = performance.now();
    await t.acquire(5, 'a', LeaseMode.Write);
    expect(performance.now() - t0).toBeLessThan(300);
    // another client waits for the grace, then recalls the reclaimed holder (it flushes first)
    await t.acquire(5, 'b', LeaseMode.Write);
    expect(recalls).toEqual(['a:5']);
    expect(t.holdsWrite(5, 'b')).toBe(true);
  });

  test("a reclaimed lease's former epoch stays valid for its holder only, while it holds the lease (write-backs made before it learned the new one)", () => {
    const t = new LeaseTable({ termMs: 300, marginMs: 100, recall: async () => undefined, fence: async () => undefined, epochFloor: () => 7 });
    t.startGrace();
    expect(t.reclaim('a', [[5, LeaseMode.Write, 4]])).toEqual([[5, 7]]);
    expect(t.epochValid(5, 7, 'a')).toBe(true);
    expect(t.epochValid(5, 4, 'a')).toBe(true);
    expect(t.epochValid(5, 3, 'a')).toBe(false); // an older lease of the same client: fenced
    expect(t.epochValid(5, 4, 'b')).toBe(false);
    expect(t.epochValid(5, 4)).toBe(false);
    t.release(5, 'a');
    expect(t.epochValid(5, 4, 'a')).toBe(false);
  });

  test('a reclaim that conflicts with a lease held now is refused; a renewal during the grace does not drop unreclaimed leases', async () => {
    const { t } = table();
    t.startGrace();
    expect(t.renew('c', [9])).toEqual([]);
    expect(t.reclaim('a', [[9, LeaseMode.Write]])).toEqual([[9, 1]]);
    expect(t.reclaim('b', [[9, LeaseMode.Read]])).toEqual([]);
    expect(t.reclaim('a', [[9, LeaseMode.Write]])).toEqual([[9, 1]]);
    await new Promise((r) => setTimeout(r, 450));
    expect(t.renew('c', [9])).toEqual([9]);
  });

  test('settle waits through the grace too (a truncate must not race a holder that has not reclaimed yet)', async () => {
    const { t } = table();
    t.startGrace();
    const t0 = performance.now();
    await t.settle(3, 'b', false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(380);
  });

  test('after the grace a lease not held now cannot be reclaimed (it ran out: newer writes may exist), one still held can', async () => {
    const { t } = table();
    t.startGrace();
    expect(t.reclaim('a', [[4, LeaseMode.Write]])).toEqual([[4, 1]]);
    await new Promise((r) => setTimeout(r, 450));
    expect(t.inGrace()).toBe(false);
    expect(t.reclaim('a', [[4, LeaseMode.Write]])).toEqual([[4, 1]]); // still held: a dropped link to the same manager
    expect(t.reclaim('late', [[7, LeaseMode.Write]])).toEqual([]); // nobody holds 7, yet the late holder does not get it back
    expect(t.holds(7, 'late')).toBe(false);
  });
});
