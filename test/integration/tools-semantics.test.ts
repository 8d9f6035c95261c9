/**
 * POSIX semantics on a real mount, each checked against a local tmpfs (the
 * yardstick) with the same commands: rename over a file under a concurrent
 * reader, a path near PATH_MAX, hard links seen through every name, and a
 * non-root user inside the permission rules (sticky root, EACCES/EPERM).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { defined } from '../helpers/defined';
import { canMount, sh } from '../helpers/mounts';
import { MountedPool, removeRoot, startMountedPool, stopMountedPool, finishMountedPool } from '../helpers/pool-fixture';

const describeMount = canMount() ? describe : describe.skip;
const USER = 'mempooltest';
const SCRIPTS = path.join(__dirname, 'tools-scripts');

let pool: MountedPool | null = null;

/** The two file systems every check runs on. */
const targets = (): Array<[string, string]> => [
  ['tmpfs', pool!.tmpfs!],
  ['mempool', pool!.mnt],
];

/** Root's part: the same starting state in each file system. */
function prepare(dir: string): void {
  sh(
    [
      'echo rootdata > rootfile && chmod 644 rootfile',
      'mkdir rootdir && chmod 755 rootdir',
      'mkdir private && chmod 700 private && touch private/p',
      'echo s > secret && chmod 600 secret',
      'echo o > other && chown 1234:1234 other',
      'mkdir open777 && chmod 777 open777 && touch open777/f && chown 1234 open777/f',
      'mkdir sticky2 && chmod 1777 sticky2 && touch sticky2/f && chown 1234 sticky2/f',
      'mkdir sgdir && chown root:4321 sgdir && chmod 2777 sgdir',
    ].join(' && '),
    dir,
  );
}

describeMount('POSIX semantics on the mount, compared with tmpfs', () => {
  beforeAll(async () => {
    if (spawnSync('id', ['-u', USER]).status !== 0) {
      const r = spawnSync('useradd', ['-m', USER], { encoding: 'utf8' });
      if (r.status !== 0 && spawnSync('id', ['-u', USER]).status !== 0) throw new Error(`useradd failed: ${r.stderr}`);
    }
    pool = await startMountedPool('mempool-semantics-', { nodes: 3, memory: '256MiB', tmpfsSize: '256m' });
    // the scripts must be readable by the test user, wherever the checkout is
    for (const f of fs.readdirSync(SCRIPTS)) fs.copyFileSync(path.join(SCRIPTS, f), path.join(pool.root, f));
  }, 60000);

  afterAll(async () => {
    await stopMountedPool(pool);
    removeRoot(pool);
  });

  const renames: Record<string, { reads: number; mixed: number; errors: Record<string, number>; final_ok: boolean }> = {};

  it('rename over a file under a concurrent reader: every read sees one whole version, never a mix', () => {
    for (const [fsName, dir] of targets()) {
      fs.mkdirSync(path.join(dir, 'ren'));
      renames[fsName] = JSON.parse(sh(`python3 ${pool!.root}/rename-reader.py ${dir}/ren 300`));
    }
    expect(renames.tmpfs).toMatchObject({ mixed: 0, errors: {}, final_ok: true });
    expect(defined(renames.tmpfs, 'the tmpfs rename result').reads).toBeGreaterThan(20);
    expect(renames.mempool).toMatchObject({ mixed: 0, final_ok: true });
    expect(defined(renames.mempool, 'the mempool rename result').reads).toBeGreaterThan(20);
  });

  // An OPEN of the replaced file's inode finds its name naming the new file: the mount answers ESTALE and the kernel
  // looks the name up again. Known gap: opens go to the manager by path, so when a second rename lands between the
  // kernel's new lookup and that open (seen about once in a loaded run), open(2) fails with ESTALE, where tmpfs opens
  // the old file; an open by inode at the manager would close it. ENOENT, or fstat failing, is never right.
  it('rename over a file never makes a concurrent open/fstat fail with ENOENT (as on tmpfs); ESTALE at most rarely', () => {
    const errors = renames.mempool?.errors ?? {};
    const stale = errors['open:Stale file handle'] ?? 0;
    expect(Object.keys(errors).filter((k) => k !== 'open:Stale file handle')).toEqual([]);
    expect(stale).toBeLessThanOrEqual(Math.max(2, Math.floor((renames.mempool?.reads ?? 0) / 100)));
  });

  it('a path near PATH_MAX (about 4,000 bytes, relative) works; longer is ENAMETOOLONG', () => {
    const results = targets().map(([, dir]) => JSON.parse(sh(`python3 ${pool!.root}/deep-path.py ${dir}`)));
    expect(results[0].len).toBe(4000);
    expect(results[1]).toEqual(results[0]);
    expect(results[1]).toMatchObject({ content: 'at the bottom', size: 13, too_long: 'File name too long' });
    // the same file through the shell, walking down with cd
    const walk = `cd deep && while cd ${'d'.repeat(250)} 2>/dev/null; do :; done && cd e* && pwd | wc -c && cat ${'f'.repeat(100)}`;
    const [tmpfsWalk, poolWalk] = targets().map(([, dir]) => sh(walk, dir).split('\n'));
    const [poolDepth, poolText] = defined(poolWalk, 'the mempool walk');
    expect(poolText).toBe('at the bottom');
    expect(Number(poolDepth) - pool!.mnt.length).toBe(Number(defined(tmpfsWalk, 'the tmpfs walk')[0]) - pool!.tmpfs!.length);
    for (const [, dir] of targets()) sh('rm -rf deep', dir);
  });

  it('fallocate(1) as on tmpfs: grows the size, --keep-size changes nothing, --punch-hole zeroes a range, collapse is refused, more than the room is ENOSPC', () => {
    const script = [
      'f=falloc.bin; head -c 20000 /dev/urandom > src.bin; cp src.bin $f',
      'fallocate -l 100000 $f && stat -c "grown %s" $f',
      'fallocate -n -o 0 -l 500000 $f && stat -c "kept %s" $f',
      'fallocate -p -o 4096 -l 8192 $f && stat -c "punched %s" $f',
      'cmp -n 4096 src.bin $f && echo "head intact"',
      'dd if=$f bs=4096 skip=1 count=2 2>/dev/null | tr -d "\\0" | wc -c',
      'cmp -i 12288 -n 7712 src.bin $f && echo "tail intact"',
      'dd if=$f bs=1 skip=20000 count=80000 2>/dev/null | tr -d "\\0" | wc -c',
      'fallocate -c -o 0 -l 4096 $f 2>/dev/null && echo collapsed || echo "collapse refused"',
      'fallocate -l 100G huge.bin 2>&1 | grep -o "No space left on device"',
      'rm -f $f src.bin huge.bin',
    ].join('; ');
    const [tmpfs, mempool] = targets().map(([, dir]) => sh(script, dir));
    expect(mempool).toBe(tmpfs);
    expect(mempool).toContain('grown 100000');
    expect(mempool).toContain('punched 100000');
    expect(mempool).toContain('No space left on device');
  });

  it('hard links: one st_ino; chmod, writes and nlink through one name show through every other at once', () => {
    const script = [
      'mkdir -p hl/a hl/b && echo one > hl/a/n1 && ln hl/a/n1 hl/b/n2 && ln hl/b/n2 hl/n3',
      'stat -c "%i %h %a" hl/a/n1 hl/b/n2 hl/n3 | sort -u | wc -l',
      'stat -c "%h %a" hl/n3',
      'chmod 600 hl/b/n2 && stat -c "%h %a" hl/a/n1 hl/n3',
      // a write through an open descriptor of one name, read through another before it is closed
      'exec 3>>hl/n3 && echo two >&3 && cat hl/a/n1 && stat -c %s hl/b/n2 && exec 3>&-',
      'rm hl/a/n1 && stat -c "%h" hl/b/n2 hl/n3',
      'echo three >> hl/b/n2 && cat hl/n3',
      'ls hl/a | wc -l',
    ].join(' && ');
    const outs = targets().map(([, dir]) => sh(script, dir));
    const ino = (dir: string) => sh('stat -c %i hl/b/n2 hl/n3 | sort -u', dir).trim().split('\n');
    expect(ino(pool!.mnt)).toHaveLength(1);
    expect(outs[1]).toBe(outs[0]);
    expect(outs[1]).toBe('1\n3 644\n3 600\n3 600\none\ntwo\n8\n2\n2\none\ntwo\nthree\n0\n');
  });

  it(`a non-root user (${USER}) works within the permission rules exactly as on tmpfs`, () => {
    const outs: string[] = [];
    for (const [, dir] of targets()) {
      const d = path.join(dir, 'perm');
      fs.mkdirSync(d);
      fs.chmodSync(d, 0o1777); // like the root of the pool and of a tmpfs
      prepare(d);
      const r = spawnSync('setpriv', [`--reuid=${USER}`, `--regid=${USER}`, '--init-groups', 'bash', `${pool!.root}/user-perms.sh`, d], { encoding: 'utf8', timeout: 60000 });
      expect(r.stderr).toBe('');
      outs.push(r.stdout);
    }
    expect(outs[1]).toBe(outs[0]);
    const poolOut = defined(outs[1], 'the mempool output');
    const line = (label: string) => poolOut.split('\n').find((l) => l.startsWith(label + ' '));
    // the expectations tmpfs also meets, spelled out
    expect(line('create-in-sticky-root')).toBe('create-in-sticky-root rc=0 ');
    expect(outs[1]).toMatch(new RegExp(`^owner: ${USER}:${USER} 644$`, 'm'));
    expect(outs[1]).toMatch(new RegExp(`^dir owner: ${USER}:${USER} 755$`, 'm'));
    expect(line('append-root-0644')).toMatch(/rc=2 Permission denied/);
    expect(line('create-in-root-0755')).toMatch(/rc=1 .*Permission denied/);
    expect(line('list-root-0700')).toMatch(/rc=2 .*Permission denied/);
    expect(line('delete-other-in-sticky')).toMatch(/rc=1 Operation not permitted/);
    expect(line('delete-other-in-0777')).toBe('delete-other-in-0777 rc=0 ');
    expect(line('chmod-own')).toBe('chmod-own rc=0 ');
    expect(outs[1]).toMatch(/^after chmod: 600$/m);
    expect(line('chmod-root-file')).toMatch(/rc=1 Operation not permitted/);
    expect(line('chown-own-to-root')).toMatch(/rc=1 Operation not permitted/);
    expect(line('write-own-readonly')).toMatch(/rc=[12] .*Permission denied/);
    expect(line('setgid-dir-inherit')).toBe('setgid-dir-inherit rc=0 4321'); // the gid went to stderr
  });

  it('leaves no mount and no process behind', async () => {
    const p = pool;
    pool = null;
    expect(await finishMountedPool(p)).toEqual({ mounts: [], pids: [] });
  });
});
