/**
 * Issue 10, retries happen once: the link is dropped right after the manager applied (and journaled) a create,
 * rename, unlink, mkdir or O_APPEND reservation, before its reply (MEMPOOL_FAULT_DROP_AFTER_APPLY): the client's
 * call returns success once and the namespace is right. A retry that arrives while its first attempt is still
 * running waits for that attempt's outcome instead of running again. A stopped manager: calls fail with EIO after
 * the manager timeout, not ENOTCONN, while statfs answers from the last known figures; a call in flight when the
 * manager stopped is sent again once it runs again.
 */
import { mkdirSync, rmSync } from 'fs';
import { join } from 'path';
import { O, PoolClient } from '../../src';
import { dial, Msg, Peer } from '../../transport';
import { ManagerLink } from '../../src/client/manager-link';
import { Cluster, killAll, mempool, Proc, startCluster, tempDir } from '../helpers/procs';
import { canMount, mountAt, mountsUnder, sh, unmount } from '../helpers/mounts';
import { cliStatus } from '../helpers/status';

const SECRET = 'manager-retry-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };
const FAULTS = ['Open', 'Mkdir', 'Rename', 'Unlink', 'AppendReserve'];

/** Resolves once pred holds (polled), or rejects after ms. */
async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('retried calls take effect once', () => {
  let root: string;
  let cluster: Cluster;
  let client: PoolClient | null = null;
  const raws: Peer[] = [];

  beforeAll(async () => {
    root = tempDir('mempool-retry-');
    cluster = await startCluster({ nodes: 2, secret: SECRET, chunkSize: '64KiB', extraManagerArgs: ['--data-dir', join(root, 'meta')], env: { MEMPOOL_FAULT_DROP_AFTER_APPLY: FAULTS.join(',') } });
    client = await PoolClient.connect(cluster.url, { secret: SECRET, managerTimeoutMs: 30_000 });
  }, 60_000);

  let mount: Proc | null = null;
  let mnt = '';

  afterAll(async () => {
    for (const p of raws) p.close('test over');
    process.kill(cluster.manager.child.pid!, 'SIGCONT');
    await client?.close().catch(() => undefined);
    if (mount) await unmount(mount, mnt).catch(() => undefined);
    await killAll();
    const left = mountsUnder(root).size;
    rmSync(root, { recursive: true, force: true });
    if (left > 0) throw new Error(`${left} mounts left under ${root}`);
  });

  test('the link drops after apply, before the reply: create, mkdir, rename, unlink and an O_APPEND reservation each succeed once', async () => {
    const c = client!;
    const drops = () => (cluster.manager.output().match(/fault injection: dropping the link/g) ?? []).length;
    const files0 = cliStatus(cluster.url, ENV).files;

    // create (Open with O_CREAT|O_EXCL): a second run would be EEXIST
    const fh = await c.open('/made', O.WRONLY | O.CREAT | O.EXCL);
    expect(drops()).toBe(1);
    await c.write(fh, 0, Buffer.from('made once'));
    await c.release(fh);
    expect((await c.readFile('/made')).toString()).toBe('made once');

    await c.mkdir('/dir'); // a second run would be EEXIST
    expect(drops()).toBe(2);
    await c.rename('/made', '/dir/moved'); // a second run would be ENOENT
    expect(drops()).toBe(3);
    expect((await c.readFile('/dir/moved')).toString()).toBe('made once');
    await expect(c.getattr('/made')).rejects.toMatchObject({ code: 'ENOENT' });

    // An O_APPEND reservation (PoolClient sends it for files in uncached mode) through the client's own retrying link.
    await c.writeFile('/log', Buffer.from('0123456789'));
    const ino = (await c.getattr('/log')).ino;
    const link = new ManagerLink(cluster.url, { secret: SECRET, hello: { role: 'client', id: 'appending-link', name: 'test' }, maxPayload: 1 << 20 });
    try {
      expect((await link.request(Msg.AppendReserve, { ino, len: 5 })).meta.offset).toBe(10);
    } finally {
      link.close();
    }
    expect(drops()).toBe(4);
    expect((await c.getattr('/log')).size).toBe(15); // reserved once: no doubled append

    await c.unlink('/dir/moved'); // a second run would be ENOENT
    expect(drops()).toBe(5);
    expect(await c.readdir('/dir')).toEqual([]);
    // The create's open was counted once: after its close and the unlink, the inode is freed.
    const st = cliStatus(cluster.url, ENV);
    expect(st.files).toBe(files0 + 1); // only /log is left
    expect(cluster.manager.output()).not.toMatch(/EEXIST|ENOENT/);
  }, 120_000);

  test('a retry that arrives while its first attempt still runs waits for that outcome: the append is reserved once', async () => {
    const c = client!;
    await c.writeFile('/slow', Buffer.from('0123456789'));
    const ino = (await c.getattr('/slow')).ino;
    const raw = async (id: string) => {
      const p = await dial(cluster.url, { secret: SECRET, hello: { role: 'client', id, name: 'test' }, maxPayload: 1 << 20 });
      raws.push(p);
      return p;
    };
    // A WRITE lease holder that never answers its recall: a foreign append waits (settle) until the lease runs out.
    const holder = await raw('silent-holder');
    holder.setHandler(() => new Promise(() => undefined));
    await holder.request(Msg.LeaseAcquire, { ino, mode: 2 });

    const first = await raw('appender');
    const t0 = Date.now();
    const firstAttempt = first.request(Msg.AppendReserve, { ino, len: 5, rid: 1 }, undefined, 60_000).catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 500));
    first.close('the link drops while the first attempt waits');
    expect(await firstAttempt).toBeInstanceOf(Error);
    const second = await raw('appender');
    const retry = await second.request(Msg.AppendReserve, { ino, len: 5, rid: 1 }, undefined, 60_000);
    expect(Date.now() - t0).toBeGreaterThan(1000); // it did wait for the silent holder's lease
    expect(retry.meta.offset).toBe(10);
    expect((await c.getattr('/slow')).size).toBe(15); // once, not 20
  }, 120_000);

  test('a stopped manager: calls fail with EIO after the manager timeout, statfs answers from the last figures, a call in flight is sent again once it runs', async () => {
    const short = await PoolClient.connect(cluster.url, { secret: SECRET, managerTimeoutMs: 3000 });
    try {
      const before = await short.statfs();
      const pid = cluster.manager.child.pid!;
      process.kill(pid, 'SIGSTOP');
      try {
        const t0 = Date.now();
        const df = await short.statfs();
        expect(Date.now() - t0).toBeLessThan(2500);
        expect(df.capacity).toBe(before.capacity);
        await expect(short.mkdir('/never')).rejects.toMatchObject({ code: 'EIO' });
        expect(Date.now() - t0).toBeLessThan(20_000);
        // A call in flight on the long-timeout client: its request times out (10 s), the link is dropped, and it goes again.
        let done = false;
        const inFlight = client!.mkdir('/during-stop').finally(() => (done = true));
        await new Promise((r) => setTimeout(r, 11_000));
        expect(done).toBe(false);
        process.kill(pid, 'SIGCONT');
        await inFlight;
        await until(() => done, 1000, 'the call in flight');
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      expect((await client!.getattr('/during-stop')).mode & 0o170000).toBe(0o040000);
    } finally {
      await short.close();
    }
  }, 120_000);

  (canMount() ? test : test.skip)(
    'a mount during a manager outage: df answers from the last figures, umount finishes promptly',
    async () => {
      mnt = join(root, 'mnt');
      mkdirSync(mnt);
      mount = await mountAt(cluster.url, mnt, ENV, ['--manager-timeout', '5']);
      sh(`echo hello > ${mnt}/hi && cat ${mnt}/hi && df ${mnt}`);
      const pid = cluster.manager.child.pid!;
      process.kill(pid, 'SIGSTOP');
      try {
        let t0 = Date.now();
        expect(sh(`df -B1 ${mnt}`, undefined, 20_000)).toMatch(/mempool/);
        const dfMs = Date.now() - t0;
        t0 = Date.now();
        // Not spawnSync: the FUSE process is this test's child, and only a running event loop reaps it once it exits.
        const code = await mempool(['umount', mnt], ENV).exited;
        const umountMs = Date.now() - t0;
        console.log(`during a manager outage: df ${dfMs} ms, umount ${umountMs} ms (exit ${code})`);
        expect(dfMs).toBeLessThan(5000);
        expect(code).toBe(0);
        expect(umountMs).toBeLessThan(10_000);
        expect(mountsUnder(mnt).size).toBe(0);
        mount = null;
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
    120_000,
  );
});
