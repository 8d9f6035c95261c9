import { DirLeases } from '../../src/manager/dir-leases';

/** A directory lease table whose recalls the test answers; recalls lists "client:dir:names". */
function table(answer: (client: string, dir: number) => Promise<void>, termMs = 300, marginMs = 100) {
  const recalls: string[] = [];
  const t = new DirLeases({
    termMs,
    marginMs,
    recall: (c, dir, names) => {
      recalls.push(`${c}:${dir}:${names?.join(',') ?? '*'}`);
      return answer(c, dir);
    },
  });
  return { t, recalls };
}

describe('DirLeases', () => {
  test('a change recalls every other holder with the names that changed, never the client that made it', async () => {
    const { t, recalls } = table(async () => undefined);
    t.acquire(5, 'a');
    t.acquire(5, 'b');
    t.acquire(6, 'c');
    await t.changed('a', [
      { dir: 5, name: 'x' },
      { dir: 5, name: 'y' },
    ]);
    expect(recalls).toEqual(['b:5:x,y']);
    expect(t.holds(5, 'a')).toBe(true);
    expect(t.holds(5, 'b')).toBe(false);
    await t.changed(null, [{ dir: 6 }]);
    expect(recalls).toEqual(['b:5:x,y', 'c:6:*']);
    expect(t.renew('c', [6])).toEqual([6]);
  });

  test("a holder's own change in a directory completes while that holder's recall waits for it (no deadlock)", async () => {
    let finishB: () => void = () => undefined;
    const bAnswered = new Promise<void>((r) => (finishB = r));
    const { t } = table((c) => (c === 'b' ? bAnswered : Promise.resolve()), 5000);
    t.acquire(5, 'b');
    const aChange = t.changed('a', [{ dir: 5, name: 'x' }]); // waits for b's answer
    await t.changed('b', [{ dir: 5, name: 'y' }]); // b's own change does not queue behind a's
    let done = false;
    void aChange.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    finishB();
    await aChange;
  });

  test('a second change joins the recall in flight; a silent holder is outwaited until its term + margin', async () => {
    const { t, recalls } = table(() => new Promise<void>(() => undefined), 200, 100);
    t.acquire(5, 'b');
    const t0 = Date.now();
    await Promise.all([t.changed('a', [{ dir: 5, name: 'x' }]), t.changed('c', [{ dir: 5, name: 'y' }])]);
    expect(recalls).toEqual(['b:5:x']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(t.held()).toBe(0);
  });

  test('a directory recalled again and again is granted uncached for a while', async () => {
    const { t } = table(async () => undefined);
    for (let i = 0; i < 3; i++) {
      expect(t.acquire(5, 'b').cached).toBe(true);
      await t.changed('a', [{ dir: 5, name: `n${i}` }]);
    }
    expect(t.acquire(5, 'b').cached).toBe(false);
    expect(t.holds(5, 'b')).toBe(false);
  });
});
