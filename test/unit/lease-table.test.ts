import { LeaseMode, LeaseTable } from '../../src/manager/lease-table';

/** A lease table whose recalls are answered (or not) by the test. */
function table(answer: (client: string, ino: number) => Promise<void>, termMs = 300, marginMs = 100) {
  const recalls: string[] = [];
  const fences: Array<[number, number]> = [];
  const t = new LeaseTable({
    termMs,
    marginMs,
    recall: (c, ino) => {
      recalls.push(`${c}:${ino}`);
      return answer(c, ino);
    },
    fence: async (ino, epoch) => {
      fences.push([ino, epoch]);
    },
  });
  return { t, recalls, fences };
}

describe('LeaseTable', () => {
  test('READ leases are shared; WRITE recalls every other holder', async () => {
    const { t, recalls } = table(async () => undefined);
    await t.acquire(7, 'a', LeaseMode.Read);
    await t.acquire(7, 'b', LeaseMode.Read);
    expect(recalls).toEqual([]);
    const g = await t.acquire(7, 'c', LeaseMode.Write);
    expect(g.mode).toBe(LeaseMode.Write);
    expect(recalls.sort()).toEqual(['a:7', 'b:7']);
    expect(t.hasForeignWriter(7, 'a')).toBe(true);
    expect(t.hasForeignWriter(7, 'c')).toBe(false);
  });

  test('a holder upgrading its own lease is not recalled', async () => {
    const { t, recalls } = table(async () => undefined);
    await t.acquire(1, 'a', LeaseMode.Read);
    const g = await t.acquire(1, 'a', LeaseMode.Write);
    expect(g.mode).toBe(LeaseMode.Write);
    expect(recalls).toEqual([]);
  });

  test('a silent WRITE holder loses the lease after term + margin, and is fenced', async () => {
    const { t, fences } = table(() => new Promise<void>(() => undefined), 300, 100);
    const first = await t.acquire(3, 'a', LeaseMode.Write);
    const start = performance.now();
    const g = await t.acquire(3, 'b', LeaseMode.Write);
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThanOrEqual(350);
    expect(waited).toBeLessThan(1500);
    expect(fences).toEqual([[3, first.epoch + 1]]);
    expect(g.epoch).toBe(first.epoch + 1);
    expect(t.epochValid(3, first.epoch)).toBe(false);
    expect(t.epochValid(3, g.epoch)).toBe(true);
    expect(t.stats().expired).toBe(1);
  });

  test('a holder whose link is down is still outwaited, never dropped early', async () => {
    const { t } = table(
      async () => {
        throw new Error('not connected');
      },
      300,
      100,
    );
    await t.acquire(4, 'a', LeaseMode.Write);
    const start = performance.now();
    await t.acquire(4, 'b', LeaseMode.Read);
    expect(performance.now() - start).toBeGreaterThanOrEqual(350);
  });

  test('renewal extends a lease; once it is being recalled, renewals neither extend it nor report it gone', async () => {
    const { t } = table(() => new Promise<void>(() => undefined), 300, 100); // the holder never answers the recall
    await t.acquire(5, 'a', LeaseMode.Write);
    expect(t.renew('a', [5])).toEqual([]);
    let granted = false;
    const pending = t.acquire(5, 'b', LeaseMode.Write).then(() => (granted = true));
    const answers: number[][] = [];
    const renewals = setInterval(() => {
      if (!granted) answers.push(t.renew('a', [5]));
    }, 50);
    await pending.finally(() => clearInterval(renewals)); // expires at term + margin in spite of the renewals
    // still held while its holder writes back to answer: a holder told 'gone' then would drop its dirty pages
    expect(answers.length).toBeGreaterThan(2);
    expect(answers.every((a) => a.length === 0)).toBe(true);
    expect(t.renew('a', [5])).toEqual([5]);
    expect(t.renew('b', [5])).toEqual([]);
  });

  test('repeated recalls make a file uncached; uncached holders do not conflict', async () => {
    const { t, recalls } = table(async () => undefined);
    let g = await t.acquire(9, 'a', LeaseMode.Write);
    for (let i = 0; i < 4; i++) g = await t.acquire(9, i % 2 ? 'a' : 'b', LeaseMode.Write);
    expect(g.cached).toBe(false);
    const n = recalls.length;
    const ga = await t.acquire(9, 'a', LeaseMode.Write);
    const gb = await t.acquire(9, 'b', LeaseMode.Write);
    expect(ga.cached || gb.cached).toBe(false);
    expect(recalls.length).toBe(n);
    expect(t.stats().uncachedFiles).toBe(1);
  });

  test('grants on one file are serialized; other files are not held up', async () => {
    const { t } = table(() => new Promise<void>(() => undefined), 300, 100);
    await t.acquire(10, 'a', LeaseMode.Write);
    const slow = t.acquire(10, 'b', LeaseMode.Write);
    const start = performance.now();
    await t.acquire(11, 'b', LeaseMode.Write);
    expect(performance.now() - start).toBeLessThan(100);
    await slow;
  });
});
