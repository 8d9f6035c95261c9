/**
 * An unprivileged user's bad or huge arguments on a mount get the answer tmpfs gives (or a documented errno),
 * never a dropped manager link: a huge truncate, huge times, a 4,200-byte full path, a 100k-entry directory.
 * Meanwhile another user's open files (an unlinked one included) and processes keep working.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PoolClient } from '../../src/client/pool-client';
import { FdProcess, killFdProcesses } from '../helpers/fd-process';
import { canMount } from '../helpers/mounts';
import { finishMountedPool, MountedPool, startMountedPool } from '../helpers/pool-fixture';

const describeMount = canMount() ? describe : describe.skip;
/** nobody: an unprivileged user with no groups. */
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const ENTRIES = 100_000;

let pool: MountedPool | null = null;
let api: PoolClient | null = null;
let held: FdProcess | null = null;
let unlinked: FdProcess | null = null;

/** Runs a bash script as nobody (or root) in dir and resolves with its output; never blocks this process (its API client must keep answering pings). */
function run(script: string, dir: string, user: string[] = NOBODY, timeoutMs = 180_000): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const argv = user.length ? ['setpriv', ...user, 'bash', '-c', script] : ['bash', '-c', script];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ out, err });
    });
  });
}
const asNobody = (script: string, dir: string) => run(script, dir);
/** Run as root, like the test itself. */
const ROOT: string[] = [];

/** The file systems every check runs on: the local tmpfs (yardstick) and the mount. */
const targets = (): Array<[string, string]> => [
  ['tmpfs', pool!.tmpfs!],
  ['mempool', pool!.mnt],
];

/** The manager never dropped a client link for a protocol violation, and the mount never lost its link. */
function linksStayedUp(): void {
  expect(pool!.cluster.manager.output()).not.toMatch(/closing link to client|protocol error|unhandled rejection/i);
  expect(pool!.mount.output()).not.toMatch(/link .* (down|went down)|ENOTCONN|protocol error/i);
}

describeMount('bad and huge arguments from an unprivileged user on the mount, compared with tmpfs', () => {
  beforeAll(async () => {
    pool = await startMountedPool('mempool-robust-', { nodes: 2, memory: '128MiB', tmpfsSize: '256m' });
    api = await PoolClient.connect(pool.cluster.url, { secret: pool.env.MEMPOOL_SECRET, name: 'robust-api' });
    // Another user's files, held open by separate processes: one keeps its name, one is unlinked while open.
    fs.mkdirSync(path.join(pool.mnt, 'other'), { mode: 0o700 });
    held = new FdProcess(path.join(pool.mnt, 'other/held'), 'create');
    unlinked = new FdProcess(path.join(pool.mnt, 'other/unlinked'), 'create');
    expect((await held.opened).ok).toBe(true);
    expect((await unlinked.opened).ok).toBe(true);
    expect((await held.write(0, 'held data')).ok).toBe(true);
    expect((await unlinked.write(0, 'unlinked data')).ok).toBe(true);
    fs.unlinkSync(path.join(pool.mnt, 'other/unlinked'));
  }, 60_000);

  afterAll(async () => {
    killFdProcesses();
    await api?.close();
    const left = await finishMountedPool(pool);
    expect(left).toEqual({ mounts: [], pids: [] });
  }, 60_000);

  it('truncate -s 2^60: tmpfs grows the file, mempool answers EFBIG (its largest file is 2^53-1 bytes); 2^53-1 itself works', async () => {
    const script = 'touch big; truncate -s $((2**60)) big; echo "rc=$?"; truncate -s $((2**53-1)) big2; echo "rc=$?"; stat -c %s big2';
    const [tmpfs, pool_] = await Promise.all(targets().map(([, dir]) => asNobody(script, dir)));
    expect(tmpfs!.out).toBe('rc=0\nrc=0\n9007199254740991\n');
    expect(pool_!.out).toBe('rc=1\nrc=0\n9007199254740991\n');
    expect(pool_!.err).toMatch(/File too large/);
    linksStayedUp();
  });

  it('utime with huge times: tmpfs keeps them, mempool answers EOVERFLOW; times within 2^53 ms (±285,000 years) are kept exactly', async () => {
    const script = [
      'touch t; touch -d @100000000000000 t; echo "rc=$?"',
      'touch -d @-100000000000000 t; echo "rc=$?"',
      // past what int64 milliseconds hold (the binding saturates instead of wrapping to a wrong date)
      `python3 -c "import os; os.utime('t', (2**62, 2**62))" 2>/dev/null; echo "rc=$?"`,
      `python3 -c "import os; os.utime('t', (-2**62, -2**62))" 2>/dev/null; echo "rc=$?"`,
      'touch -d @9000000000000 t; echo "rc=$?"; stat -c %Y t',
      'touch -d @-9000000000000 t; echo "rc=$?"; stat -c %Y t',
    ].join('; ');
    const [tmpfs, pool_] = await Promise.all(targets().map(([, dir]) => asNobody(script, dir)));
    expect(tmpfs!.out).toBe('rc=0\nrc=0\nrc=0\nrc=0\nrc=0\n9000000000000\nrc=0\n-9000000000000\n');
    expect(pool_!.out).toBe('rc=1\nrc=1\nrc=1\nrc=1\nrc=0\n9000000000000\nrc=0\n-9000000000000\n');
    expect(pool_!.err).toMatch(/Value too large for defined data type/);
    linksStayedUp();
  });

  it('uid/gid: chown to 2^32-2 works for root, -1 and 2^32-1 leave an id unchanged, as on tmpfs', async () => {
    const py = [
      'import os',
      "open('o', 'w').close()",
      "os.chown('o', 4294967294, 4294967294); s = os.stat('o'); print(s.st_uid, s.st_gid)",
      "os.chown('o', -1, 5); s = os.stat('o'); print(s.st_uid, s.st_gid)",
      "os.chown('o', 7, 4294967295); s = os.stat('o'); print(s.st_uid, s.st_gid)",
    ].join('\n');
    const script = `python3 -c "${py}"`;
    const [tmpfs, pool_] = (await Promise.all(targets().map(([, dir]) => run(script, dir, ROOT)))).map((r) => r.out);
    expect(pool_).toBe(tmpfs);
    linksStayedUp();
  });

  it('a 4,200-byte full path (nested directories, entered step by step with cd) works as on tmpfs', async () => {
    const comp = 'd'.repeat(200);
    const script = [
      'mkdir deep && cd deep',
      `for i in $(seq 21); do mkdir ${comp} && cd ${comp} || exit 1; done`,
      'echo "at the bottom" > file && cat file && stat -c %s file',
      'ls | wc -l',
      // a relative path argument of about 2,000 bytes from half-way up
      `cd ${'../'.repeat(10)} && cat ${`${comp}/`.repeat(10)}file`,
      `pwd | wc -c`,
    ].join(' && ');
    const [tmpfs, pool_] = await Promise.all(targets().map(([, dir]) => asNobody(script, dir)));
    expect(tmpfs!.err).toBe('');
    expect(pool_!.err).toBe('');
    expect(pool_!.out.split('\n').slice(0, 4)).toEqual(['at the bottom', '14', '1', 'at the bottom']);
    const depth = (out: string, root: string) => Number(out.trim().split('\n').pop()) - root.length;
    expect(depth(pool_!.out, pool!.mnt)).toBe(depth(tmpfs!.out, pool!.tmpfs!));
    // the full path of the file from the mount root is over 4,200 bytes
    const full = path.join(pool!.mnt, 'deep', ...Array<string>(21).fill(comp), 'file');
    expect(Buffer.byteLength(full) - pool!.mnt.length).toBeGreaterThan(4200);
    linksStayedUp();
  });

  it(`ls of a ${ENTRIES.toLocaleString('en')}-entry directory lists every entry, as on tmpfs`, async () => {
    fs.mkdirSync(path.join(pool!.tmpfs!, 'many'), { mode: 0o777 });
    fs.chmodSync(path.join(pool!.tmpfs!, 'many'), 0o777);
    const t0 = Date.now();
    const made0 = await asNobody(`python3 -c "for i in range(${ENTRIES}): open('many/entry-with-a-longish-name-%d' % i, 'w').close()"`, pool!.tmpfs!);
    expect(made0.err).toBe('');
    // the pool's entries come through the API (fast: many requests in flight), the listing through the mount
    await api!.mkdir('/many', 0o777);
    const batch = 512;
    for (let i = 0; i < ENTRIES; i += batch) {
      const n = Math.min(batch, ENTRIES - i);
      await Promise.all(Array.from({ length: n }, (_, k) => api!.mknod(`/many/entry-with-a-longish-name-${i + k}`, 0o100644, 0, { uid: 65534, gid: 65534 })));
    }
    const made = Date.now() - t0;
    const t1 = Date.now();
    const [tmpfs, pool_] = await Promise.all(targets().map(([, dir]) => asNobody('ls many | wc -l && ls -U many | sort | md5sum', dir)));
    const listed = Date.now() - t1;
    console.log(`${ENTRIES} entries created in ${made} ms; listed on both file systems in ${listed} ms`);
    expect(tmpfs!.out.split('\n')[0]).toBe(String(ENTRIES));
    expect(pool_!.err).toBe('');
    expect(pool_!.out).toBe(tmpfs!.out);
    expect((await api!.readdir('/many')).length).toBe(ENTRIES);
    linksStayedUp();
  }, 300_000);

  it("meanwhile another user's open files (an unlinked one included) and processes kept working, and the mount's manager link stayed up", async () => {
    expect(await held!.read(0, 100)).toEqual({ ok: true, value: 'held data' });
    expect(await unlinked!.read(0, 100)).toEqual({ ok: true, value: 'unlinked data' });
    expect((await unlinked!.write(13, ' and more')).ok).toBe(true);
    expect(await unlinked!.read(0, 100)).toEqual({ ok: true, value: 'unlinked data and more' });
    expect((await run('cat other/held && echo && ls other', pool!.mnt, ROOT)).out).toBe('held data\nheld\n');
    const st = await api!.status();
    expect(st.clientDetails.every((c) => c.connected)).toBe(true);
    linksStayedUp();
  });
});
