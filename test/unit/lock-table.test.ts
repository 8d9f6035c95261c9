import { applyRange } from '../../src/lock-ranges';
import { LockRequest, LockTable } from '../../src/manager/lock-table';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EOF } from '../../src/posix';

const R = F_RDLCK;
const W = F_WRLCK;
const U = F_UNLCK;

/** A POSIX request by client c, owner o. */
function px(c: string, o: string, type: number, start = 0, end = LOCK_EOF): LockRequest {
  return { client: c, owner: o, flock: false, type, start, end, pid: 7 };
}

/** A flock request by client c, open file o. */
function fl(c: string, o: string, type: number): LockRequest {
  return { client: c, owner: o, flock: true, type, start: 0, end: LOCK_EOF, pid: 7 };
}

/** Resolves to 'granted' or the error code once p settles, or 'waiting' if it has not after a turn of the event loop. */
async function state(p: Promise<void>): Promise<string> {
  let s = 'waiting';
  p.then(
    () => (s = 'granted'),
    (e: { code?: string }) => (s = e.code ?? 'error'),
  );
  await new Promise((r) => setImmediate(r));
  return s;
}

describe('applyRange (one owner)', () => {
  test('splits on unlock in the middle, merges adjacent ranges of one type', () => {
    let own = applyRange([], W, 0, 99, 1);
    own = applyRange(own, U, 40, 59, 1);
    expect(own.map((r) => [r.type, r.start, r.end])).toEqual([
      [W, 0, 39],
      [W, 60, 99],
    ]);
    own = applyRange(own, W, 40, 59, 1);
    expect(own.map((r) => [r.type, r.start, r.end])).toEqual([[W, 0, 99]]);
  });

  test('downgrading part of a range splits it into three', () => {
    const own = applyRange(applyRange([], W, 0, 99, 1), R, 10, 19, 1);
    expect(own.map((r) => [r.type, r.start, r.end])).toEqual([
      [W, 0, 9],
      [R, 10, 19],
      [W, 20, 99],
    ]);
  });

  test('overlapping same-type ranges merge into one to end of file', () => {
    const own = applyRange(applyRange([], R, 0, 10, 1), R, 5, LOCK_EOF, 1);
    expect(own.map((r) => [r.type, r.start, r.end])).toEqual([[R, 0, LOCK_EOF]]);
  });
});

describe('LockTable', () => {
  const table = () => new LockTable({ sessionMs: 200 });

  test('POSIX: readers share, a writer conflicts only where ranges overlap', async () => {
    const t = table();
    await t.set(1, px('a', '1', R, 0, 99));
    await t.set(1, px('b', '1', R, 50, 149));
    await expect(t.set(1, px('c', '1', W, 90, 95))).rejects.toMatchObject({ code: 'EAGAIN' });
    await t.set(1, px('c', '1', W, 150, 200));
    const b = await t.test(1, px('c', '1', W, 0, 10));
    expect(b).toMatchObject({ client: 'a', type: R, start: 0, end: 99, pid: 7 });
    expect(await t.test(1, px('c', '1', R, 0, 10))).toBeNull();
    // another file is independent
    await t.set(2, px('c', '1', W));
  });

  test('the same owner upgrades and downgrades its own ranges without conflict', async () => {
    const t = table();
    await t.set(1, px('a', '1', R, 0, 99));
    await t.set(1, px('a', '1', W, 20, 29));
    expect(t.held(1).map((r) => [r.type, r.start, r.end])).toEqual([
      [R, 0, 19],
      [W, 20, 29],
      [R, 30, 99],
    ]);
    // same client, different owner (another process on the same mount) conflicts
    await expect(t.set(1, px('a', '2', R, 25, 25))).rejects.toMatchObject({ code: 'EAGAIN' });
    await t.set(1, px('a', '1', U, 0, LOCK_EOF));
    expect(t.held(1)).toEqual([]);
  });

  test('flock: shared or exclusive per open file; flock and POSIX locks do not interact', async () => {
    const t = table();
    await t.set(1, fl('a', 'f1', R));
    await t.set(1, fl('b', 'f2', R));
    await expect(t.set(1, fl('c', 'f3', W))).rejects.toMatchObject({ code: 'EAGAIN' });
    await t.set(1, px('c', '1', W)); // a POSIX write lock beside flock locks
    await t.set(1, fl('a', 'f1', U));
    await t.set(1, fl('b', 'f2', U));
    await t.set(1, fl('c', 'f3', W));
    expect(t.held(1).length).toBe(2);
  });

  test('a failed flock conversion drops the old lock (Linux)', async () => {
    const t = table();
    await t.set(1, fl('a', 'f1', R));
    await t.set(1, fl('b', 'f2', R));
    await expect(t.set(1, fl('a', 'f1', W))).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(t.held(1).map((l) => l.owner)).toEqual(['f2']);
  });

  test('waiters are woken in order once nothing blocks them; unlock of part of a range wakes a waiter for that part', async () => {
    const t = table();
    await t.set(1, px('a', '1', W, 0, 99));
    const w1 = t.set(1, px('b', '1', W, 10, 19), { wait: true });
    const w2 = t.set(1, px('c', '1', R, 50, 59), { wait: true });
    expect(await state(w1)).toBe('waiting');
    await t.set(1, px('a', '1', U, 0, 29));
    expect(await state(w1)).toBe('granted');
    expect(await state(w2)).toBe('waiting');
    await t.set(1, px('a', '1', R, 30, 99)); // downgrade lets the reader in
    expect(await state(w2)).toBe('granted');
    expect(t.stats()).toEqual({ held: 3, waiting: 0 });
  });

  test('a flock waiter is granted when the holder unlocks; exclusive waiters queue one after another', async () => {
    const t = table();
    await t.set(1, fl('a', 'f', W));
    const wb = t.set(1, fl('b', 'f', W), { wait: true });
    const wc = t.set(1, fl('c', 'f', W), { wait: true });
    await t.set(1, fl('a', 'f', U));
    expect(await state(wb)).toBe('granted');
    expect(await state(wc)).toBe('waiting');
    t.releaseFile('b', 1);
    expect(await state(wc)).toBe('granted');
  });

  test('a waiter can be cancelled (EINTR), and the waits of a dropped link end (ENOTCONN)', async () => {
    const t = table();
    await t.set(1, px('a', '1', W));
    const w = t.set(1, px('b', '1', W), { wait: true, waitId: 5 });
    expect(t.cancel('b', 6)).toBe(false);
    expect(t.cancel('b', 5)).toBe(true);
    expect(await state(w)).toBe('EINTR');
    const link = {};
    const w2 = t.set(1, px('b', '1', W), { wait: true, waitId: 6, tag: link });
    t.cancelTag(link);
    expect(await state(w2)).toBe('ENOTCONN');
    expect(t.stats().waiting).toBe(0);
  });

  test('EDEADLK when two owners would wait on each other', async () => {
    const t = table();
    await t.set(1, px('a', '1', W, 0, 0));
    await t.set(1, px('b', '1', W, 1, 1));
    const wa = t.set(1, px('a', '1', W, 1, 1), { wait: true });
    await expect(t.set(1, px('b', '1', W, 0, 0), { wait: true })).rejects.toMatchObject({ code: 'EDEADLK' });
    await t.set(1, px('b', '1', U));
    expect(await state(wa)).toBe('granted');
  });

  test('releaseOwner (close), releaseClient (session) and the waiter limit', async () => {
    const t = new LockTable({ sessionMs: 200, maxWaitersPerClient: 1 });
    await t.set(1, px('a', 'p1', W, 0, 9));
    await t.set(1, px('a', 'p2', W, 10, 19));
    await t.set(1, fl('a', 'f1', W));
    t.releaseOwner(1, 'a', 'p1', false);
    expect(
      t
        .held(1)
        .map((l) => l.owner)
        .sort(),
    ).toEqual(['f1', 'p2']);
    const w = t.set(1, px('b', '1', W, 10, 10), { wait: true });
    await expect(t.set(1, px('b', '2', W, 15, 15), { wait: true })).rejects.toMatchObject({ code: 'ENOLCK' });
    t.releaseClient('a');
    expect(await state(w)).toBe('granted');
    expect(t.held(1).map((l) => l.client)).toEqual(['b']);
  });

  test('a client away longer than the session term loses its locks; one back in time keeps them', async () => {
    const t = new LockTable({ sessionMs: 100 });
    await t.set(1, px('a', '1', W));
    await t.set(2, px('b', '1', W));
    t.linkDown('a');
    t.linkDown('b');
    t.linkUp('b');
    const w = t.set(1, px('c', '1', W), { wait: true });
    expect(await state(w)).toBe('waiting');
    const t0 = Date.now();
    await w;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(80);
    expect(t.held(2).map((l) => l.client)).toEqual(['b']);
    t.releaseClient('b');
    t.releaseClient('c');
  });

  test('grace after a restart: reclaims are granted at once, new locks wait for the grace to end', async () => {
    const t = new LockTable({ sessionMs: 150 });
    t.startGrace();
    const fresh = t.set(1, px('b', '1', W, 0, 9));
    expect(
      t.reclaim('a', [
        { ino: 1, ...px('a', '1', W, 5, 5) },
        { ino: 1, ...px('a', '1', W, 20, 20) },
      ]),
    ).toEqual([]);
    // a reclaim that clashes with another reclaim is lost
    expect(t.reclaim('c', [{ ino: 1, ...px('c', '1', R, 20, 20) }])).toEqual([0]);
    await expect(fresh).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(t.inGrace()).toBe(false);
    await t.set(1, px('b', '1', W, 10, 19));
  });

  test('bad ranges and types are EINVAL', async () => {
    const t = table();
    await expect(t.set(1, px('a', '1', W, 10, 5))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(t.set(1, px('a', '1', 9))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(t.test(1, px('a', '1', W, -1, 5))).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
