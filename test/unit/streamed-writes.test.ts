import { StreamedWrites } from '../../src/client/streamed-writes';

/** A promise and its resolver. */
function gate(): { p: Promise<void>; open: () => void; fail: (e: Error) => void } {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const p = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { p, open, fail };
}

/** Resolves after pending promise callbacks ran. */
const tick = () => new Promise((r) => setImmediate(r));

describe('StreamedWrites', () => {
  it('an overlapping write waits for the one in flight; a disjoint one does not', async () => {
    const s = new StreamedWrites(4);
    const g = gate();
    s.start(1, 0, 100, () => g.p);
    expect(s.busy(1)).toBe(true);
    expect(s.bytes).toBe(100);
    let disjoint = false;
    let overlapping = false;
    void s.room(1, 100, 200).then(() => (disjoint = true));
    void s.room(1, 50, 150).then(() => (overlapping = true));
    void s.room(2, 0, 100).then(() => undefined);
    await tick();
    expect(disjoint).toBe(true);
    expect(overlapping).toBe(false);
    g.open();
    await tick();
    expect(overlapping).toBe(true);
    expect(s.busy(1)).toBe(false);
    expect(s.bytes).toBe(0);
  });

  it('beyond the depth a writer waits for the oldest; settled waits for all, failures included', async () => {
    const s = new StreamedWrites(2);
    const a = gate();
    const b = gate();
    s.start(1, 0, 10, () => a.p);
    s.start(1, 10, 20, () => b.p);
    let roomy = false;
    let settled = false;
    void s.room(1, 20, 30).then(() => (roomy = true));
    void s.settled(1).then(() => (settled = true));
    await tick();
    expect(roomy).toBe(false);
    a.fail(new Error('node gone'));
    await tick();
    expect(roomy).toBe(true);
    expect(settled).toBe(false);
    b.open();
    await tick();
    expect(settled).toBe(true);
  });
});
