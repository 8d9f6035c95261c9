/**
 * Issue 10, high availability on etcd: two managers on one etcd prefix (one leads, one stands by), two memory
 * nodes and a PoolClient given both manager URLs. kill -9 of the leader: the standby takes over within a few
 * seconds (the campaign lease's TTL), the client's next calls succeed with no reconnect by hand, every file reads
 * back byte-exact, new files work, and `mempool status` with both URLs answers. A leader SIGSTOPped past its
 * lease and resumed after a takeover exits instead of serving on.
 */
import { createHash, randomBytes } from 'crypto';
import { PoolClient } from '../../src';
import { killAll, mempool, mempoolSync, Proc, tempDir } from '../helpers/procs';
import { EtcdServer, startEtcd, stopAllEtcd } from '../helpers/etcd';
import { cliStatus, statusWhen } from '../helpers/status';
import { defined } from '../helpers/defined';
import { canMount, mountAt, mountsUnder, sh, unmount } from '../helpers/mounts';
import { mkdirSync, rmSync } from 'fs';
import { join } from 'path';

const SECRET = 'manager-ha-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };

describe('managers on etcd: a standby takes over', () => {
  let etcd: EtcdServer;
  let meta: string;
  const managers: Proc[] = [];
  let client: PoolClient | null = null;
  const files = new Map<string, Buffer>();
  /** Both managers' URLs, the standby's first. */
  let urls = '';
  let firstUrl = '';
  /** A FUSE mount given both URLs, where this machine can mount. */
  let root = '';
  let mnt = '';
  let mount: Proc | null = null;

  /** Starts a manager on the shared prefix; resolves with its process and URL once it stands by (or leads). */
  async function startManager(listen = '127.0.0.1:0'): Promise<{ proc: Proc; url: string }> {
    const proc = mempool(['manager', '--listen', listen, '--meta', meta, '--chunk-size', '64KiB'], ENV);
    managers.push(proc);
    const url = defined((await proc.waitFor(/standing by on (ws:\/\/\S+)/, 20_000))[1], 'the manager URL');
    return { proc, url };
  }

  beforeAll(async () => {
    etcd = await startEtcd();
    meta = `etcd://${etcd.hostPort}/ha-test`;
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    if (mount) await unmount(mount, mnt).catch(() => undefined);
    await killAll();
    await stopAllEtcd();
    const left = root ? mountsUnder(root).size : 0;
    if (root) rmSync(root, { recursive: true, force: true });
    if (left > 0) throw new Error(`${left} mounts left under ${root}`);
  });

  test('kill -9 of the leader: the standby serves within seconds, every file reads back, new files work', async () => {
    const a = await startManager();
    await a.proc.waitFor(/listening on/, 20_000);
    const b = await startManager();
    expect(b.proc.output()).not.toMatch(/listening on/);
    // The standby first: the client and nodes are sent on to the leader.
    urls = `${b.url},${a.url}`;
    firstUrl = a.url;
    const nodes = [0, 1].map(() => mempool(['node', '--manager', urls, '--memory', '64MiB'], ENV));
    await Promise.all(nodes.map((n) => n.waitFor(/serving .* on ws/, 20_000)));
    await statusWhen(urls, (s) => s.nodes.filter((n) => n.alive).length === 2, 15_000, ENV);

    client = await PoolClient.connect(urls, { secret: SECRET });
    if (canMount()) {
      root = tempDir('mempool-ha-');
      mnt = join(root, 'mnt');
      mkdirSync(mnt);
      mount = await mountAt(urls, mnt, ENV);
      sh(`cd ${mnt} && mkdir m && head -c 300000 /dev/urandom > m/f && sha256sum m/f > ${root}/sums`);
    }
    await client.mkdir('/d');
    for (const [name, size] of [
      ['/d/small', 5000],
      ['/d/big', 700_000],
      ['/top', 64 * 1024 + 1],
    ] as const) {
      const data = randomBytes(size);
      await client.writeFile(name, data);
      files.set(name, data);
    }
    await client.rename('/top', '/d/moved');
    files.set('/d/moved', defined(files.get('/top'), 'top'));
    files.delete('/top');

    const t0 = Date.now();
    await a.proc.stop('SIGKILL');
    await b.proc.waitFor(/listening on/, 20_000);
    const takeoverMs = Date.now() - t0;
    console.log(`takeover after kill -9: ${takeoverMs} ms (campaign lease TTL 5 s)`);
    expect(takeoverMs).toBeLessThan(15_000);
    expect(b.proc.output()).toMatch(/took over at record [1-9]\d* without a reload/);

    // The client's next calls succeed on the new leader without a reconnect by hand.
    for (const [name, data] of files) expect((await client.readFile(name)).equals(data)).toBe(true);
    expect((await client.readdir('/d')).map((e) => e.name).sort()).toEqual(['big', 'moved', 'small']);
    const fresh = randomBytes(300_000);
    await client.writeFile('/d/after', fresh);
    files.set('/d/after', fresh);
    expect((await client.readFile('/d/after')).equals(fresh)).toBe(true);
    if (mount) {
      // The same mount, no remount: what it wrote reads back, and it writes on.
      sh(`cd ${mnt} && sha256sum -c ${root}/sums && printf after > m/g`);
      expect(sh(`cat ${mnt}/m/g`)).toBe('after');
      const small = createHash('sha256')
        .update(defined(files.get('/d/small'), 'small'))
        .digest('hex');
      expect(sh(`sha256sum < ${mnt}/d/small`).split(' ')[0]).toBe(small);
    }

    const st = await statusWhen(urls, (s) => s.nodes.filter((n) => n.alive).length === 2, 20_000, ENV);
    const mountFiles = mount ? 2 : 0;
    expect(st.files).toBe(4 + mountFiles);
    expect(st.metadata?.log).toMatch(/etcd .* \(leader\)/);
    // status names the leader, the standbys (none left), the etcd position and the takeover.
    expect(st.metadata?.leader).toBe(b.url);
    expect(st.metadata?.standbys).toEqual([]);
    expect(st.metadata?.revision).toMatch(/^[1-9]\d*$/);
    expect(st.metadata?.lastStart).toMatchObject({ kind: 'takeover', previous: a.url });
    expect(st.metadata?.lastStart?.at).toBeGreaterThanOrEqual(t0);
    const text = mempoolSync(['status', urls], ENV);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`${4 + mountFiles} files`));
    expect(text.stdout).toMatch(new RegExp(`managers: leader ${b.url}; standbys none`));
    expect(text.stdout).toMatch(/last start: took over from ws:\/\/\S+ at \S+, serving \d+\.\d+ s after/);
    console.log(
      text.stdout
        .split('\n')
        .filter((l) => /^(metadata|managers|last start)/.test(l))
        .join('\n'),
    );
  }, 120_000);

  test('a leader stopped past its lease and resumed after a takeover exits and never serves again', async () => {
    const leader = defined(managers[1], 'the leader');
    // A supervisor restarts the killed manager on its address: it stands by.
    const c = await startManager(new URL(firstUrl).host);
    expect(c.url).toBe(firstUrl);
    const standing = await statusWhen(urls, (s) => (s.metadata?.standbys ?? []).includes(c.url), 10_000, ENV);
    expect(standing.metadata?.standbys).toEqual([c.url]);
    leader.child.kill('SIGSTOP');
    // A call in flight to the stopped leader times out there and is sent again to the next leader: it does not fail.
    const pc0 = client;
    if (!pc0) throw new Error('no client from the first test');
    const during = pc0.mkdir('/d/during-stop');
    await c.proc.waitFor(/listening on/, 30_000);
    await during;
    leader.child.kill('SIGCONT');
    const code = await Promise.race([leader.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code).toBe(1);
    expect(leader.output()).toMatch(/leadership lost|metadata log failed/);
    // The client follows to the third manager: its files are all there.
    const pc = client;
    if (!pc) throw new Error('no client from the first test');
    for (const [name, data] of files) expect((await pc.readFile(name)).equals(data)).toBe(true);
    await pc.writeFile('/d/third', Buffer.from('after the second takeover'));
    expect((await pc.getattr('/d/during-stop')).mode & 0o170000).toBe(0o040000);
    expect(cliStatus(urls, ENV).files).toBe(5 + (mount ? 2 : 0));
    expect(cliStatus(urls, ENV).directories).toBeGreaterThanOrEqual(3);
    if (mount) expect(sh(`cat ${mnt}/d/third`)).toBe('after the second takeover');
  }, 120_000);

  test('a writer holding cached data across a takeover reclaims its lease: a second client then reads exactly its bytes', async () => {
    const pc = client;
    if (!pc) throw new Error('no client from the first test');
    const leader = defined(managers[2], 'the third manager');
    const bUrl = urls.split(',')[0] ?? '';
    const d = await startManager(new URL(bUrl).host);
    expect(d.url).toBe(bUrl);
    const data = randomBytes(200_000);
    const fh = await pc.create('/d/held');
    await pc.write(fh, 0, data); // cached under the WRITE lease, not flushed
    await leader.stop('SIGKILL');
    await d.proc.waitFor(/listening on/, 20_000);
    // The writer reconnects and reclaims its lease before the grace (term + margin) is over.
    const st = await statusWhen(urls, (x) => x.clientDetails.some((c) => c.leases > 0 && (c.dirtyBytes ?? 0) > 0), 6_000, ENV);
    expect(st.leases.held).toBeGreaterThan(0);
    const other = await PoolClient.connect(urls, { secret: SECRET });
    try {
      const t0 = Date.now();
      expect((await other.readFile('/d/held')).equals(data)).toBe(true);
      console.log(`read of a file whose writer held cached data across the takeover: ${Date.now() - t0} ms`);
    } finally {
      await other.close();
    }
    await pc.release(fh);
  }, 120_000);
});
