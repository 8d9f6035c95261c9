/**
 * Issue 10's workload crash tests. Embedded journal: while `tar x` of a few thousand files runs on a mount beside an
 * fio writer that verifies what it wrote (crc32c), the manager is killed (-9) and restarted on the same data dir: the
 * mount needs no remount, tar and fio finish without an error, fio verifies, the tree equals a reference extract
 * (diff -r) and every file's sha256 matches the manifest. HA on etcd (one member, then three): two managers, three
 * memory nodes, two mounts (tar on one, fio on the other); kill -9 of the leader mid-workload: the standby takes over,
 * nothing acknowledged is lost, no call fails; the takeover time is measured.
 */
import { mkdirSync, rmSync } from 'fs';
import { join } from 'path';
import { killAll, mempool, Proc, startCluster, Cluster, tempDir } from '../helpers/procs';
import { canMount, mountAt, mountsUnder, unmount } from '../helpers/mounts';
import { statusWhen } from '../helpers/status';
import { compareTree, fioWriter, haveFio, Job, makeTarball, Tarball, untar } from '../helpers/workload';
import { startEtcd, startEtcdCluster, stopAllEtcd } from '../helpers/etcd';
import { defined } from '../helpers/defined';

const SECRET = 'manager-workload-secret-for-tests-0123456789';
const ENV = { MEMPOOL_SECRET: SECRET };
const maybe = canMount() && haveFio() ? describe : describe.skip;
const FILES = 2000;

/** Waits for a job and expects it to have succeeded (exit 0 and its done line). */
async function expectDone(j: Job, doneLine: string): Promise<string> {
  const r = await j.done;
  if (r.code !== 0 || !r.output.includes(doneLine)) throw new Error(`job failed (exit ${r.code ?? r.signal}):\n${r.output.slice(-3000)}`);
  return r.output;
}

/** fio's own verdict: no error, and it did read back and verify. */
function expectFioVerified(out: string): void {
  expect(out).toMatch(/err= 0/);
  expect(out).not.toMatch(/verify: bad|verify failed|crc32c: verify/i);
  expect(out).toMatch(/READ: bw=/); // the verify pass read everything back
}

maybe('workload across a manager crash', () => {
  let root: string;
  let tarball: Tarball;
  const mounts: Array<[Proc | null, string]> = [];

  beforeAll(() => {
    root = tempDir('mempool-workload-');
    tarball = makeTarball(join(root, 'ball'), FILES);
  });

  afterAll(async () => {
    await Promise.all(mounts.map(([p, d]) => unmount(p, d).catch(() => undefined)));
    await killAll();
    await stopAllEtcd();
    const left = mountsUnder(root).size;
    rmSync(root, { recursive: true, force: true });
    if (left > 0) throw new Error(`${left} mounts left under ${root}`);
  });

  test('embedded journal: kill -9 of the manager during tar x and a verifying fio writer; restart on the same data dir', async () => {
    const dataDir = join(root, 'meta');
    const mnt = join(root, 'mnt');
    mkdirSync(mnt);
    const cluster: Cluster = await startCluster({ nodes: 3, memory: '256MiB', secret: SECRET, extraManagerArgs: ['--data-dir', dataDir] });
    const port = new URL(cluster.url).port;
    const mount = await mountAt(cluster.url, mnt, ENV);
    mounts.push([mount, mnt]);

    const tar = untar(tarball, join(mnt, 'tree'));
    const fio = fioWriter(join(mnt, 'fio'));
    // Mid-workload: a few hundred files are in.
    const mid = await statusWhen(cluster.url, (s) => s.files > 300, 120_000, ENV);
    expect(mid.files).toBeGreaterThan(300);
    await cluster.manager.stop('SIGKILL');
    const t0 = Date.now();
    const manager = mempool(['manager', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], ENV);
    await manager.waitFor(/listening on/, 30_000);
    console.log(`journal restart: serving ${Date.now() - t0} ms after kill -9, at ${mid.files} files; ${manager.output().match(/\d+ records replayed[^\n]*/)?.[0] ?? ''}`);

    await expectDone(tar, 'untar-done');
    expectFioVerified(await expectDone(fio, 'fio-done'));
    expect(compareTree(tarball, join(mnt, 'tree'))).toBe('');
    // And after a second crash with everything at rest, the journal alone brings the same tree back.
    await manager.stop('SIGKILL');
    const again = mempool(['manager', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], ENV);
    await again.waitFor(/listening on/, 30_000);
    expect(compareTree(tarball, join(mnt, 'tree'))).toBe('');
    expect(mount.output()).not.toMatch(/EIO|ENOTCONN|crashed/);
  }, 600_000);

  /** The HA workload on an etcd given by hostPorts: returns the takeover time in ms. */
  async function haWorkload(hostPorts: string, prefix: string, files: Tarball, beforeKill?: () => Promise<void>): Promise<number> {
    const meta = `etcd://${hostPorts}/${prefix}`;
    const start = async (): Promise<{ proc: Proc; url: string }> => {
      const proc = mempool(['manager', '--listen', '127.0.0.1:0', '--meta', meta], ENV);
      const url = defined((await proc.waitFor(/standing by on (ws:\/\/\S+)/, 30_000))[1], 'the manager URL');
      return { proc, url };
    };
    const a = await start();
    await a.proc.waitFor(/listening on/, 30_000);
    const b = await start();
    const urls = `${a.url},${b.url}`;
    const nodes = [0, 1, 2].map(() => mempool(['node', '--manager', urls, '--memory', '256MiB'], ENV));
    await Promise.all(nodes.map((n) => n.waitFor(/serving .* on ws/, 30_000)));
    await statusWhen(urls, (s) => s.nodes.filter((n) => n.alive).length === 3, 20_000, ENV);
    const dirA = join(root, `${prefix}-a`);
    const dirB = join(root, `${prefix}-b`);
    mkdirSync(dirA);
    mkdirSync(dirB);
    const mountA = await mountAt(urls, dirA, ENV);
    mounts.push([mountA, dirA]);
    const mountB = await mountAt(urls, dirB, ENV);
    mounts.push([mountB, dirB]);

    const tar = untar(files, join(dirA, 'tree'));
    const fio = fioWriter(join(dirB, 'fio'));
    await statusWhen(urls, (s) => s.files > 300, 120_000, ENV);
    await beforeKill?.();
    const t0 = Date.now();
    await a.proc.stop('SIGKILL');
    await b.proc.waitFor(/listening on/, 30_000);
    const takeoverMs = Date.now() - t0;

    const logs = () => `\nmount A:\n${mountA.output().slice(-4000)}\nmount B:\n${mountB.output().slice(-4000)}`;
    await expectDone(tar, 'untar-done').catch((err: Error) => Promise.reject(new Error(err.message + logs())));
    expectFioVerified(await expectDone(fio, 'fio-done').catch((err: Error) => Promise.reject(new Error(err.message + logs()))));
    // Nothing acknowledged is lost, and the other mount sees the same tree.
    expect(compareTree(files, join(dirA, 'tree'))).toBe('');
    expect(compareTree(files, join(dirB, 'tree'))).toBe('');
    for (const m of [mountA, mountB]) expect(m.output()).not.toMatch(/EIO|crashed/);
    const st = await statusWhen(urls, (s) => s.metadata?.lastStart?.kind === 'takeover', 10_000, ENV);
    expect(st.metadata?.leader).toBe(b.url);
    return takeoverMs;
  }

  test('HA on a one-member etcd: 2 managers, 3 nodes, 2 mounts; kill -9 of the leader during tar x and fio', async () => {
    const etcd = await startEtcd();
    const ms = await haWorkload(etcd.hostPort, 'ha1', tarball);
    console.log(`takeover after kill -9 of the leader mid-workload (one etcd member): ${ms} ms`);
    expect(ms).toBeLessThan(20_000);
  }, 600_000);

  test('HA on a three-member etcd, one member killed first: kill -9 of the leader during tar x and fio', async () => {
    const cluster = await startEtcdCluster(3);
    const small = makeTarball(join(root, 'ball3'), 800, 16);
    const ms = await haWorkload(cluster.hostPorts, 'ha3', small, async () => {
      await defined(cluster.members[2], 'the third etcd member').stop(); // the pool goes on with a quorum of two
    });
    console.log(`takeover after kill -9 of the leader mid-workload (three etcd members, one down): ${ms} ms`);
    expect(ms).toBeLessThan(20_000);
  }, 600_000);
});
