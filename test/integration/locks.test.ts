/**
 * Issue 8, cluster-wide locks held at the manager, through real processes: two PoolClients (two "machines") share
 * flock and POSIX byte-range locks; a blocked F_SETLKW is woken by the unlock and can be cancelled (EINTR); a holder
 * killed with -9 loses its locks within the lease term + margin; holders reclaim their locks across a manager
 * restart with --data-dir, and nobody else gets them meanwhile.
 */
import { spawn } from 'child_process';
import { rmSync } from 'fs';
import { join, resolve } from 'path';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_EOF, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, O, PoolClient } from '../../src';
import { Cluster, killAll, mempool, Proc, startCluster, tempDir, TEST_MARK } from '../helpers/procs';

const SECRET = 'locks-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };
/** The manager's lease term (5 s) plus its margin (1 s): a silent client's session ends after this, and the grace after a restart lasts as long. */
const SESSION_MS = 6000;
const DIST = resolve(__dirname, '../../dist/src/index.js');

/** The settled state of a promise after a short pause: 'pending', 'ok' or the error code. */
async function settled(p: Promise<unknown>, ms = 50): Promise<string> {
  let s = 'pending';
  p.then(
    () => (s = 'ok'),
    (e: { code?: string }) => (s = e.code ?? String(e)),
  );
  await new Promise((r) => setTimeout(r, ms));
  return s;
}

describe('cluster-wide locks', () => {
  let root: string;
  let dataDir: string;
  let cluster: Cluster;
  let manager: Proc;
  let port: string;
  let a: PoolClient;
  let b: PoolClient;

  beforeAll(async () => {
    root = tempDir('mempool-locks-');
    dataDir = join(root, 'meta');
    cluster = await startCluster({ nodes: 1, secret: SECRET, extraManagerArgs: ['--data-dir', dataDir] });
    manager = cluster.manager;
    port = new URL(cluster.url).port;
    a = await PoolClient.connect(cluster.url, { secret: SECRET, name: 'A' });
    b = await PoolClient.connect(cluster.url, { secret: SECRET, name: 'B' });
  }, 60_000);

  afterAll(async () => {
    await a?.close().catch(() => undefined);
    await b?.close().catch(() => undefined);
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  test('flock is exclusive across clients: 500 locked increments each end at exactly 1000', async () => {
    await a.writeFile('/counter', Buffer.from('0'));
    const run = async (c: PoolClient) => {
      const fh = await c.open('/counter', O.RDWR);
      for (let i = 0; i < 500; i++) {
        await c.flock(fh, LOCK_EX);
        const n = Number((await c.read(fh, 0, 32)).toString());
        const next = Buffer.from(String(n + 1));
        await c.write(fh, 0, next);
        await c.ftruncate(fh, next.length);
        await c.flock(fh, LOCK_UN);
      }
      await c.release(fh);
    };
    await Promise.all([run(a), run(b)]);
    expect((await a.readFile('/counter')).toString()).toBe('1000');
    expect((await b.readFile('/counter')).toString()).toBe('1000');
  }, 120_000);

  test('flock: shared locks coexist, an exclusive one is EWOULDBLOCK with LOCK_NB, and a handle release drops its lock', async () => {
    await a.writeFile('/f1', Buffer.from('x'));
    const fa = await a.open('/f1');
    const fb = await b.open('/f1');
    await a.flock(fa, LOCK_SH);
    await b.flock(fb, LOCK_SH);
    await expect(b.flock(fb, LOCK_EX | LOCK_NB)).rejects.toMatchObject({ code: 'EAGAIN' }); // the conversion drops b's shared lock (Linux)
    const wait = b.flock(fb, LOCK_EX);
    expect(await settled(wait)).toBe('pending');
    await a.release(fa); // the open file's lock ends with it
    await wait;
    const fa2 = await a.open('/f1');
    await expect(a.flock(fa2, LOCK_SH | LOCK_NB)).rejects.toMatchObject({ code: 'EAGAIN' });
    await b.release(fb);
    await a.flock(fa2, LOCK_SH | LOCK_NB);
    await a.release(fa2);
  });

  test('POSIX byte ranges conflict across clients only where they overlap; F_GETLK names the blocking lock', async () => {
    await a.writeFile('/ranges', Buffer.alloc(100));
    const fa = await a.open('/ranges', O.RDWR);
    const fb = await b.open('/ranges', O.RDWR);
    await a.setlk(fa, '100', { type: F_WRLCK, start: 0, end: 9, pid: 4242 });
    await a.setlk(fa, '100', { type: F_RDLCK, start: 50, end: LOCK_EOF });
    await expect(b.setlk(fb, '200', { type: F_WRLCK, start: 5, end: 5 })).rejects.toMatchObject({ code: 'EAGAIN' });
    await b.setlk(fb, '200', { type: F_WRLCK, start: 10, end: 49 });
    await b.setlk(fb, '200', { type: F_RDLCK, start: 60, end: 70 }); // readers share
    await expect(b.setlk(fb, '200', { type: F_WRLCK, start: 60, end: 70 })).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(await b.getlk(fb, '200', { type: F_WRLCK, start: 0, end: 100 })).toEqual({ type: F_WRLCK, start: 0, end: 9, pid: 4242 });
    expect(await b.getlk(fb, '200', { type: F_RDLCK, start: 50, end: 100 })).toMatchObject({ type: F_UNLCK });
    // another owner on the same client conflicts too (two processes on one machine)
    await expect(a.setlk(fa, '101', { type: F_WRLCK, start: 0, end: 0 })).rejects.toMatchObject({ code: 'EAGAIN' });
    // a downgrade of part of A's range lets B write-lock just that part
    await a.setlk(fa, '100', { type: F_UNLCK, start: 5, end: 5 });
    await b.setlk(fb, '200', { type: F_WRLCK, start: 5, end: 5 });
    // close by the owner (FUSE FLUSH) drops its POSIX locks on the file
    await a.unlockOwner(fa, '100');
    await b.setlk(fb, '200', { type: F_WRLCK, start: 0, end: LOCK_EOF });
    await a.release(fa);
    await b.release(fb); // the client's last handle closes: its locks go
    const fa2 = await a.open('/ranges', O.RDWR);
    await a.setlk(fa2, '100', { type: F_WRLCK, start: 0, end: LOCK_EOF });
    await a.release(fa2);
  });

  test('a blocked F_SETLKW is woken by the unlock, and a waiting one can be cancelled (EINTR)', async () => {
    await a.writeFile('/wait', Buffer.alloc(10));
    const fa = await a.open('/wait', O.RDWR);
    const fb = await b.open('/wait', O.RDWR);
    await a.setlk(fa, '1', { type: F_WRLCK, start: 0, end: 0 });
    const t0 = Date.now();
    const waiting = b.setlk(fb, '2', { type: F_WRLCK, start: 0, end: 0 }, true);
    expect(await settled(waiting, 200)).toBe('pending');
    await a.setlk(fa, '1', { type: F_UNLCK, start: 0, end: 0 });
    await waiting;
    expect(Date.now() - t0).toBeLessThan(5000);

    const ac = new AbortController();
    const cancelled = a.setlk(fa, '1', { type: F_RDLCK, start: 0, end: 0 }, true, ac.signal);
    expect(await settled(cancelled, 100)).toBe('pending');
    ac.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'EINTR' });
    // nothing is left queued at the manager: after b unlocks, the byte stays free for a non-blocking lock by a
    await b.setlk(fb, '2', { type: F_UNLCK, start: 0, end: 0 });
    await a.setlk(fa, '1', { type: F_WRLCK, start: 0, end: 0 });
    // EDEADLK: b waits for a's byte 0 while a would wait for b's byte 1
    await b.setlk(fb, '2', { type: F_WRLCK, start: 1, end: 1 });
    const bWaits = b.setlk(fb, '2', { type: F_WRLCK, start: 0, end: 0 }, true);
    expect(await settled(bWaits, 100)).toBe('pending');
    await expect(a.setlk(fa, '1', { type: F_WRLCK, start: 1, end: 1 }, true)).rejects.toMatchObject({ code: 'EDEADLK' });
    await a.release(fa);
    await bWaits;
    await b.release(fb);
  });

  test('a holder killed with -9 loses its locks within the lease term + margin', async () => {
    await a.writeFile('/victim', Buffer.alloc(10));
    const script = `
      const { PoolClient, F_WRLCK, LOCK_EX } = require(${JSON.stringify(DIST)});
      (async () => {
        const c = await PoolClient.connect(${JSON.stringify(cluster.url)}, { secret: ${JSON.stringify(SECRET)}, name: 'holder' });
        const fh = await c.open('/victim', 2);
        await c.setlk(fh, '9', { type: F_WRLCK, start: 0, end: 4 });
        await c.flock(fh, LOCK_EX);
        console.log('locked');
        setInterval(() => undefined, 1000);
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const holder = spawn(process.execPath, ['-e', script], { env: { ...process.env, [TEST_MARK]: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((res, rej) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && res());
        holder.once('exit', () => rej(new Error('holder exited')));
      });
      const fb = await b.open('/victim', O.RDWR);
      await expect(b.setlk(fb, '1', { type: F_WRLCK, start: 2, end: 2 })).rejects.toMatchObject({ code: 'EAGAIN' });
      await expect(b.flock(fb, LOCK_EX | LOCK_NB)).rejects.toMatchObject({ code: 'EAGAIN' });
      const posix = b.setlk(fb, '1', { type: F_WRLCK, start: 2, end: 2 }, true);
      const fb2 = await b.open('/victim', O.RDWR);
      const whole = b.flock(fb2, LOCK_EX);
      const killed = Date.now();
      holder.kill('SIGKILL');
      await Promise.all([posix, whole]);
      const took = Date.now() - killed;
      expect(took).toBeGreaterThanOrEqual(SESSION_MS - 200);
      expect(took).toBeLessThan(SESSION_MS + 3000);
      await b.release(fb);
      await b.release(fb2);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);

  test('locks are reclaimed across a manager restart with --data-dir; nobody else gets them meanwhile', async () => {
    await a.writeFile('/kept', Buffer.alloc(10));
    const fa = await a.open('/kept', O.RDWR);
    const fb = await b.open('/kept', O.RDWR);
    await a.setlk(fa, '1', { type: F_WRLCK, start: 0, end: 4 });
    await a.flock(fa, LOCK_EX);
    await manager.stop('SIGKILL');
    manager = mempool(['manager', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], ENV);
    await manager.waitFor(/listening on/);
    // b's requests wait out the grace (a reclaims meanwhile) and then find a's locks
    await expect(b.setlk(fb, '2', { type: F_WRLCK, start: 3, end: 3 })).rejects.toMatchObject({ code: 'EAGAIN' });
    await expect(b.flock(fb, LOCK_SH | LOCK_NB)).rejects.toMatchObject({ code: 'EAGAIN' });
    await b.setlk(fb, '2', { type: F_WRLCK, start: 5, end: 9 });
    const bWaits = b.setlk(fb, '2', { type: F_WRLCK, start: 0, end: 0 }, true);
    expect(await settled(bWaits, 200)).toBe('pending');
    await a.setlk(fa, '1', { type: F_UNLCK, start: 0, end: LOCK_EOF });
    await bWaits;
    await a.flock(fa, LOCK_UN);
    await b.flock(fb, LOCK_SH | LOCK_NB);
    await a.release(fa);
    await b.release(fb);
  }, 60_000);
});
