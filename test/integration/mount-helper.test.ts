/**
 * Issue 8, item 7: the mount(8) helper. `mount -t fuse.mempool URL DIR -o secret_file=F,cache=SIZE` and an fstab
 * line of type fuse.mempool mount the pool (util-linux runs /sbin/mount.fuse.mempool, which scripts/setup.sh links
 * to scripts/mount.fuse.mempool; this test links this checkout's helper there for its run if needed) and return once
 * the mount is live, with the FUSE process detached and logging to a 0600 file; `umount DIR` unmounts, and the FUSE
 * process flushes and exits.
 */
import { spawnSync } from 'child_process';
import { existsSync, lstatSync, readFileSync, mkdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { PoolClient } from '../../src';
import { Cluster, killAll, startCluster, tempDir } from '../helpers/procs';
import { canMount, mountsUnder } from '../helpers/mounts';

const SECRET = 'mount-helper-secret-for-tests-0123456789';
const HELPER = resolve(__dirname, '../../scripts/mount.fuse.mempool');
const INSTALLED = '/sbin/mount.fuse.mempool';
const maybe = canMount() ? describe : describe.skip;

/** Runs a command; returns its status and output. */
function run(cmd: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Polls cond until it holds or the deadline passes. */
async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

maybe('mount -t fuse.mempool and fstab', () => {
  let root: string;
  let cluster: Cluster;
  let client: PoolClient;
  let secretFile: string;
  /** What was at INSTALLED before this test (restored after): a symlink target, or null when nothing was there. */
  let previous: string | null | undefined;

  beforeAll(async () => {
    root = tempDir('mempool-helper-');
    secretFile = join(root, 'secret-for-tests-0123456789');
    writeFileSync(secretFile, SECRET + '\n', { mode: 0o600 });
    if (!existsSync(INSTALLED) || realpathSync(INSTALLED) !== realpathSync(HELPER)) {
      previous = existsSync(INSTALLED) || isLink(INSTALLED) ? readlinkSync(INSTALLED) : null;
      if (previous !== null) unlinkSync(INSTALLED);
      symlinkSync(HELPER, INSTALLED);
    }
    cluster = await startCluster({ nodes: 1, secret: SECRET });
    client = await PoolClient.connect(cluster.url, { secret: SECRET });
  }, 60_000);

  afterAll(async () => {
    for (const m of mountsUnder(root).keys()) run('umount', ['-l', m]);
    await client?.close().catch(() => undefined);
    await killAll();
    if (previous !== undefined) {
      unlinkSync(INSTALLED);
      if (previous !== null) symlinkSync(previous, INSTALLED);
    }
    rmSync(root, { recursive: true, force: true });
  });

  /** Mounted through mount(8): checks the mount, a write through it, the detached FUSE process and its log; returns its pid. */
  async function checkMounted(dir: string, out: string, file: string): Promise<number> {
    expect(mountsUnder(dir).get(dir)).toBe('fuse.mempool');
    const m = out.match(/pid (\d+), log (\S+)\)/);
    expect(m).not.toBeNull();
    const pid = Number(m![1]);
    expect(alive(pid)).toBe(true);
    expect(statSync(m![2]!).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, file), 'through the helper mount\n');
    return pid;
  }

  /** umount DIR: the mount goes, the FUSE process exits, and what was written is at the pool. */
  async function checkUmount(dir: string, pid: number, file: string): Promise<void> {
    const r = run('umount', [dir]);
    expect(r).toMatchObject({ code: 0 });
    expect(mountsUnder(dir).size).toBe(0);
    await until(() => !alive(pid));
    expect((await client.readFile(`/${file}`)).toString()).toBe('through the helper mount\n');
  }

  test('mount -t fuse.mempool URL DIR -o secret_file=F,cache=SIZE, then umount DIR', async () => {
    const dir = join(root, 'mnt');
    mkdirSync(dir);
    const r = run('mount', ['-t', 'fuse.mempool', cluster.url, dir, '-o', `secret_file=${secretFile},cache=64MiB`]);
    expect(r).toMatchObject({ code: 0 });
    const pid = await checkMounted(dir, r.out, 'one');
    await checkUmount(dir, pid, 'one');
  }, 60_000);

  test('an fstab line of type fuse.mempool mounts with `mount DIR` (mount -T reads a test fstab), and a bad secret fails the mount', async () => {
    const dir = join(root, 'fstab-mnt');
    mkdirSync(dir);
    const fstab = join(root, 'fstab');
    writeFileSync(fstab, `# a test fstab\n${cluster.url}  ${dir}  fuse.mempool  secret_file=${secretFile},cache=32MiB,_netdev,noatime  0  0\n`);
    const r = run('mount', ['-T', fstab, dir]);
    expect(r).toMatchObject({ code: 0 });
    const pid = await checkMounted(dir, r.out, 'two');
    await checkUmount(dir, pid, 'two');

    const bad = join(root, 'bad-secret-for-tests-0123456789');
    writeFileSync(bad, 'wrong\n', { mode: 0o600 });
    const refused = run('mount', ['-t', 'fuse.mempool', cluster.url, dir, '-o', `secret_file=${bad}`]);
    expect(refused.code).not.toBe(0);
    expect(mountsUnder(dir).size).toBe(0);
  }, 60_000);
});

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
