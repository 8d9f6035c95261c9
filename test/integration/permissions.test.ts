/**
 * Permissions at the manager (real processes): a PoolClient connected as uid 1000 meets the rules the kernel applies
 * on tmpfs (EACCES, EPERM, sticky directories, chown); with --squash-root a uid-0 client is nobody; and through the
 * mount a non-root user (with a supplementary group) gets the same errno as on a tmpfs for the same operations.
 */
import { spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PoolClient, O } from '../../src/client/pool-client';
import { FsError } from '../../src/errors';
import { defined } from '../helpers/defined';
import { Cluster, killAll, mempool, Proc, startCluster, tempDir } from '../helpers/procs';
import { canMount, mountAt, mountsUnder, sh, unmount } from '../helpers/mounts';
import { MountedPool, finishMountedPool, startMountedPool } from '../helpers/pool-fixture';
import { statusWhen } from '../helpers/status';

const SECRET = 'perms-test-secret-0123456789abcdef';

/** The errno a call fails with, or 'ok'. */
async function errno(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof FsError) return err.code;
    throw err;
  }
}

afterAll(async () => {
  await killAll();
});

describe('through PoolClient as uid 1000', () => {
  let cluster: Cluster;
  let admin: PoolClient;
  let user: PoolClient;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, secret: SECRET });
    admin = await PoolClient.connect(cluster.url, { secret: SECRET, uid: 0, gid: 0, groups: [] });
    user = await PoolClient.connect(cluster.url, { secret: SECRET, uid: 1000, gid: 1000, groups: [] });
    await admin.writeFile('/secret', Buffer.from('root only'), 0o600);
    await admin.mkdir('/other', 0o700, { uid: 1001, gid: 1001 });
    await admin.mkdir('/tmp', 0o1777);
    await admin.writeFile('/tmp/theirs', Buffer.from('x'));
    await admin.chown('/tmp/theirs', 1001, 1001);
    await admin.mknod('/theirs', 0o100644, 0, { uid: 1001, gid: 1001 });
  });

  afterAll(async () => {
    await user?.close();
    await admin?.close();
    await cluster?.stop();
  });

  it('cannot read a root 0600 file (EACCES), by open or by any data call', async () => {
    expect(await errno(user.open('/secret', O.RDONLY))).toBe('EACCES');
    expect(await errno(user.readFile('/secret'))).toBe('EACCES');
    expect(await errno(user.truncate('/secret', 0))).toBe('EACCES');
    expect(await errno(user.locate('/secret'))).toBe('EACCES'); // chunk locations need an open or the permission
    expect((await user.getattr('/secret')).mode & 0o777).toBe(0o600); // stat is fine
    expect((await admin.readFile('/secret')).toString()).toBe('root only');
  });

  it("cannot chmod or chown another user's file (EPERM), nor give its own away", async () => {
    expect(await errno(user.chmod('/theirs', 0o666))).toBe('EPERM');
    expect(await errno(user.chown('/theirs', 1000, -1))).toBe('EPERM');
    await user.mknod('/mine', 0o100644);
    expect((await user.getattr('/mine')).uid).toBe(1000);
    expect(await errno(user.chown('/mine', 1001, -1))).toBe('EPERM');
    expect(await errno(user.chown('/mine', -1, 0))).toBe('EPERM'); // not one of its groups
    expect(await errno(user.chmod('/mine', 0o600))).toBe('ok');
  });

  it("cannot create in another user's 0700 directory (EACCES), nor look into it", async () => {
    expect(await errno(user.mkdir('/other/d'))).toBe('EACCES');
    expect(await errno(user.open('/other/f', O.CREAT | O.WRONLY))).toBe('EACCES');
    expect(await errno(user.readdir('/other'))).toBe('EACCES');
    expect(await errno(user.getattr('/other/missing'))).toBe('EACCES'); // search first, then ENOENT
    expect(await errno(user.getattr('/missing'))).toBe('ENOENT');
  });

  it("cannot unlink or rename another user's file in a sticky directory (EPERM), but may its own", async () => {
    expect(await errno(user.unlink('/tmp/theirs'))).toBe('EPERM');
    expect(await errno(user.rename('/tmp/theirs', '/tmp/stolen'))).toBe('EPERM');
    await user.writeFile('/tmp/own', Buffer.from('y'));
    expect(await errno(user.rename('/tmp/own', '/tmp/own2'))).toBe('ok');
    expect(await errno(user.unlink('/tmp/own2'))).toBe('ok');
  });

  it('a file the caller creates is opened whatever its mode, and write needs write permission', async () => {
    const fh = await user.open('/tmp/ro', O.CREAT | O.RDWR, 0o444);
    await user.write(fh, 0, Buffer.from('ok'));
    await user.release(fh);
    expect(await errno(user.open('/tmp/ro', O.WRONLY))).toBe('EACCES');
    expect(await errno(admin.open('/tmp/ro', O.WRONLY).then((h) => admin.release(h)))).toBe('ok'); // root bypasses rwx
  });
});

describe('with --squash-root', () => {
  let dataDir = '';
  let manager: Proc | null = null;

  afterAll(async () => {
    await manager?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts a manager on the journal in dataDir (no memory nodes: metadata only), with extra arguments. */
  async function startManager(extra: string[]): Promise<string> {
    manager = mempool(['manager', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extra], { MEMPOOL_SECRET: SECRET });
    return defined((await manager.waitFor(/listening on (wss?:\/\/\S+)/))[1], 'the manager URL');
  }

  it('maps a uid-0 client to nobody: it cannot read a root 0600 file, and what it creates is owned by 65534', async () => {
    dataDir = tempDir('mempool-squash-');
    // a root-owned private file and directory, made while root is still root
    let url = await startManager([]);
    const before = await PoolClient.connect(url, { secret: SECRET, uid: 0, gid: 0, groups: [] });
    await before.mknod('/secret', 0o100600);
    await before.mkdir('/private', 0o700);
    await before.close();
    await manager?.stop();

    url = await startManager(['--squash-root']);
    const root = await PoolClient.connect(url, { secret: SECRET, uid: 0, gid: 0, groups: [] });
    try {
      expect((await root.getattr('/secret')).uid).toBe(0);
      expect(await errno(root.open('/secret', O.RDONLY))).toBe('EACCES');
      expect(await errno(root.chmod('/secret', 0o644))).toBe('EPERM');
      expect(await errno(root.mkdir('/private/x'))).toBe('EACCES');
      const made = await root.mkdir('/mine');
      expect([made.uid, made.gid]).toEqual([65534, 65534]);
      await root.mknod('/mine/f', 0o100644);
      const f = await root.getattr('/mine/f');
      expect([f.uid, f.gid]).toEqual([65534, 65534]);
    } finally {
      await root.close();
    }
  });
});

describe('a squashed client secret beside a full one (--squashed-client-secret-file)', () => {
  const FULL = `full-${randomBytes(16).toString('base64url')}`;
  const SQUASHED = `squashed-${randomBytes(16).toString('base64url')}`;
  let dir = '';
  let manager: Proc | null = null;
  let node: Proc | null = null;
  let url = '';

  /** A 0600 secret file holding text. */
  function secretFile(name: string, text: string): string {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text + '\n', { mode: 0o600 });
    return f;
  }

  let managerArgs: string[] = [];
  const mounts: Array<[Proc, string]> = [];

  beforeAll(async () => {
    dir = tempDir('mempool-squash-secret-');
    // the common secret (MEMPOOL_SECRET) stays the node and operator secret; clients prove FULL or SQUASHED
    managerArgs = ['--data-dir', path.join(dir, 'meta'), '--client-secret-file', secretFile('full', FULL), '--squashed-client-secret-file', secretFile('squashed', SQUASHED)];
    manager = mempool(['manager', '--listen', '127.0.0.1:0', ...managerArgs], { MEMPOOL_SECRET: SECRET });
    url = defined((await manager.waitFor(/listening on (wss?:\/\/\S+)/))[1], 'the manager URL');
    node = mempool(['node', '--manager', url, '--memory', '64MiB'], { MEMPOOL_SECRET: SECRET });
    await node.waitFor(/serving .* on ws/);
  });

  afterAll(async () => {
    for (const [p, mnt] of mounts) await unmount(p, mnt).catch(() => undefined);
    await node?.stop();
    await manager?.stop();
    const left = mountsUnder(dir).size;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    expect(left).toBe(0);
  });

  it('root through the squashed secret is nobody, root through the other is root; each reaches the memory nodes; a wrong secret is refused', async () => {
    const root = await PoolClient.connect(url, { secret: FULL, uid: 0, gid: 0, groups: [] });
    const squashed = await PoolClient.connect(url, { secret: SQUASHED, uid: 0, gid: 0, groups: [] });
    try {
      await root.writeFile('/secret', Buffer.from('root only'), 0o600);
      expect(await errno(squashed.open('/secret', O.RDONLY))).toBe('EACCES');
      expect(await errno(squashed.readFile('/secret'))).toBe('EACCES');
      expect(await errno(squashed.chmod('/secret', 0o644))).toBe('EPERM');
      expect((await root.readFile('/secret')).toString()).toBe('root only');
      // data through the memory nodes with either secret (each has its node-access key)
      await squashed.writeFile('/by-squashed', Buffer.from('written by nobody'));
      const made = await root.getattr('/by-squashed');
      expect([made.uid, made.gid]).toEqual([65534, 65534]);
      expect((await root.readFile('/by-squashed')).toString()).toBe('written by nobody');
      expect((await squashed.readFile('/by-squashed')).toString()).toBe('written by nobody');
      // a quota is root's business: the squashed root may not set one
      expect(await errno(squashed.quotaSet('/', { files: 100 }))).toBe('EPERM');
    } finally {
      await squashed.close();
      await root.close();
    }
    // the common secret is no client secret here, and neither is a made-up one
    for (const secret of [SECRET, `wrong-${randomBytes(16).toString('base64url')}`]) {
      expect(await errno(PoolClient.connect(url, { secret, connectTimeoutMs: 5000 }))).toBe('EACCES');
    }
  });

  (canMount() ? it : it.skip)(
    'a mount with each secret works; through the squashed one root is nobody, and a file a user holds open for writing across a manager restart is written back',
    async () => {
      fs.chmodSync(dir, 0o755); // uid 1000 reaches the mount points (the secret files stay 0600)
      const full = path.join(dir, 'full-mnt');
      const squashed = path.join(dir, 'squashed-mnt');
      for (const [mnt, file] of [
        [full, 'full'],
        [squashed, 'squashed'],
      ] as const) {
        fs.mkdirSync(mnt);
        mounts.push([await mountAt(url, mnt, {}, ['--secret-file', path.join(dir, file)]), mnt]);
      }
      expect(sh(`cat ${full}/secret`)).toBe('root only');
      expect(() => sh(`cat ${squashed}/secret`)).toThrow(/Permission denied/);
      sh(`echo by-squashed-root > ${squashed}/by-squashed-mount`);
      expect(sh(`stat -c '%u:%g' ${full}/by-squashed-mount`).trim()).toBe('65534:65534');
      expect(sh(`cat ${full}/by-squashed-mount`)).toBe('by-squashed-root\n');

      // uid 1000 keeps a 0600 file open for writing through the squashed mount (whose own link is nobody's) across a kill -9 of the manager
      sh(`mkdir -m 1777 ${full}/shared`);
      const writer = spawn('setpriv', [
        '--reuid=1000',
        '--regid=1000',
        '--clear-groups',
        'bash',
        '-c',
        'umask 077; exec 3>"$1"; echo before >&3; echo ready; read -r; echo after >&3; exec 3>&-; cat "$1"',
        '_',
        `${squashed}/shared/held`,
      ]);
      let out = '';
      writer.stdout.on('data', (b: Buffer) => (out += b.toString()));
      writer.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((resolve) => writer.on('exit', (code) => resolve(code)));
      while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 50));
      const port = new URL(url).port;
      const env = { MEMPOOL_SECRET: SECRET };
      const held = (await statusWhen(url, () => true, 5000, env)).leases.held;
      expect(held).toBeGreaterThanOrEqual(1); // the writer's WRITE lease, with "before" cached under it
      await manager?.stop('SIGKILL');
      manager = mempool(['manager', '--listen', `127.0.0.1:${port}`, ...managerArgs], { MEMPOOL_SECRET: SECRET });
      await manager.waitFor(/listening on/);
      // both mounts are back with their leases reclaimed (the write-back then runs after Reopen restored its access)
      await statusWhen(url, (st) => st.leases.held >= held, 15_000, env);
      writer.stdin.end('go\n');
      const code = await exited;
      expect({ code, out }).toEqual({ code: 0, out: 'ready\nbefore\nafter\n' });
      expect(sh(`stat -c '%u %a' ${full}/shared/held`).trim()).toBe('1000 600');
    },
    90_000,
  );
});

const describeMount = canMount() ? describe : describe.skip;
/** The test user and the supplementary group it is given through setpriv. */
const UID = 1000;
const GROUP = 4242;

describeMount('through the mount, a non-root user gets the errno tmpfs gives', () => {
  let pool: MountedPool | null = null;
  let script = '';

  beforeAll(async () => {
    pool = await startMountedPool('mempool-perms-', { nodes: 1, tmpfsSize: '16m' });
    script = path.join(pool.root, 'as-user.sh');
    // one line per step: its exit code and the error's last words
    fs.writeFileSync(
      script,
      [
        '#!/bin/bash',
        'cd "$1" || exit 99',
        't() { local label=$1; shift; local err; err=$("$@" 2>&1 >/dev/null); echo "$label rc=$? ${err##*: }"; }',
        't read-root-0600 cat secret',
        't write-root-0644 sh -c "echo x >> pub"',
        't create-in-0700-of-other touch other/f',
        't list-0700-of-other ls other',
        't stat-in-0700-of-other stat other/x',
        't chmod-other chmod 666 theirs',
        't chown-own-away sh -c "touch mine && chown 1001 mine"',
        't chgrp-own-to-supplementary chgrp 4242 mine',
        't chgrp-own-to-other chgrp 1001 mine',
        't unlink-other-in-sticky rm -f sticky/theirs',
        't rename-other-in-sticky mv sticky/theirs sticky/x',
        't write-group-dir sh -c "echo g > groupdir/new"',
        't write-group-file sh -c "echo g >> groupfile"',
        't touch-now-writable touch pubw',
        't touch-explicit-writable touch -d 2000-01-01 pubw',
        't setfattr-writable setfattr -n user.k -v v pubw',
        't getfattr-0600 getfattr -n user.k secret',
        't link-other-0644 ln pub link1',
        't link-other-0666 ln pubw link2',
        't exec-only-binary ./execonly',
        't move-dir-to-new-parent mv sticky/rootdir groupdir/rootdir',
        't mknod-fifo-in-group-dir mkfifo groupdir/fifo',
        't mknod-char-dev mknod groupdir/dev c 1 3',
        't rmdir-0700-of-other rmdir other',
        'ls -A | LC_ALL=C sort | tr "\\n" " "; echo',
        'ls -A groupdir | LC_ALL=C sort | tr "\\n" " "; echo',
      ].join('\n') + '\n',
    );
  });

  afterAll(async () => {
    const left = await finishMountedPool(pool);
    expect(left).toEqual({ mounts: [], pids: [] });
  });

  /** Root's part: the same starting state in each file system. */
  function prepare(dir: string): void {
    sh(
      [
        'chmod 1777 .',
        'echo s > secret && chmod 600 secret && setfattr -n user.k -v v secret',
        'echo p > pub && chmod 644 pub',
        'echo w > pubw && chmod 666 pubw',
        'mkdir other && chown 1001:1001 other && chmod 700 other',
        'touch theirs && chown 1001:1001 theirs',
        'mkdir sticky && chmod 1777 sticky && touch sticky/theirs && chown 1001 sticky/theirs',
        'mkdir sticky/rootdir && chmod 777 sticky/rootdir',
        `mkdir groupdir && chgrp ${GROUP} groupdir && chmod 775 groupdir`,
        `echo g > groupfile && chgrp ${GROUP} groupfile && chmod 664 groupfile`,
        'cp /bin/true execonly && chmod 711 execonly',
      ].join(' && '),
      dir,
    );
  }

  it('for reads, writes, creation, removal, chmod/chown, times, xattrs, links, exec and renames', () => {
    const p = pool as MountedPool;
    const outs: string[] = [];
    for (const top of [p.tmpfs as string, p.mnt]) {
      const d = path.join(top, 'perms');
      fs.mkdirSync(d);
      prepare(d);
      const r = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, `--groups=${GROUP}`, 'bash', script, d], { encoding: 'utf8', timeout: 60000 });
      expect(r.stderr).toBe('');
      outs.push(r.stdout);
    }
    expect(outs[1]).toBe(outs[0]);
    const out = defined(outs[1], 'the mount output');
    const line = (label: string) => out.split('\n').find((l) => l.startsWith(label + ' '));
    expect(line('link-other-0644')).toMatch(/rc=1 Operation not permitted/);
    expect(line('touch-explicit-writable')).toMatch(/rc=1 Operation not permitted/);
    expect(line('touch-now-writable')).toBe('touch-now-writable rc=0 ');
    expect(line('read-root-0600')).toMatch(/rc=1 Permission denied/);
    expect(line('create-in-0700-of-other')).toMatch(/rc=1 Permission denied/);
    expect(line('chmod-other')).toMatch(/rc=1 Operation not permitted/);
    expect(line('unlink-other-in-sticky')).toMatch(/rc=1 Operation not permitted/);
    expect(line('write-group-dir')).toBe('write-group-dir rc=0 ');
    expect(line('chgrp-own-to-supplementary')).toBe('chgrp-own-to-supplementary rc=0 ');
    expect(line('exec-only-binary')).toBe('exec-only-binary rc=0 ');
  });
});
