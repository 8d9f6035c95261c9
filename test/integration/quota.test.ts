/**
 * Bounds on a real mount, against a local tmpfs where Linux has an answer: directory quotas give EDQUOT at the
 * limit (bytes and files) and show their usage in status; --max-files gives ENOSPC like tmpfs's nr_inodes; the
 * xattr limits give the errnos tmpfs gives (E2BIG, ERANGE), and a full per-file xattr budget ENOSPC.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import { finishMountedPool, MountedPool, startMountedPool } from '../helpers/pool-fixture';
import { canMount, sh } from '../helpers/mounts';
import { mempoolSync } from '../helpers/procs';
import { cliStatus } from '../helpers/status';
import { rawAuthenticated, rawRequest } from '../helpers/raw-ws';
import { Msg } from '../../transport';

const MiB = 1024 * 1024;
const MAX_FILES = 100;
/** The byte quota of the test: 8.5 MiB. */
const LIMIT = 8.5 * MiB;
const d = canMount() ? describe : describe.skip;

/** Runs a bash command; returns its exit code and stderr (no throw). */
function run(cmd: string): { code: number | null; stderr: string; stdout: string } {
  const r = spawnSync('/bin/bash', ['-c', cmd], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

d('bounds on a mount', () => {
  let pool: MountedPool | null = null;
  let nrInodes: string | null = null;

  beforeAll(async () => {
    pool = await startMountedPool('mempool-quota-', {
      nodes: 1,
      memory: '256MiB',
      replicas: 1,
      tmpfsSize: '16m',
      extraManagerArgs: ['--max-files', String(MAX_FILES), '--max-xattr-bytes', '256KiB'],
    });
  }, 60_000);

  afterAll(async () => {
    if (nrInodes) spawnSync('umount', [nrInodes]);
    const left = await finishMountedPool(pool);
    expect(left).toEqual({ mounts: [], pids: [] });
  }, 60_000);

  /** `mempool quota ...` through the CLI, with the pool's secret. */
  function quota(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    return mempoolSync(['quota', ...args], pool!.env);
  }

  test('bytes: dd into a quota dir stops with EDQUOT at the limit; status shows the usage; deleting gives room back', () => {
    const q = join(pool!.mnt, 'q');
    mkdirSync(q);
    const set = quota('set', q, '--bytes', '8.5MiB', '--files', '100'); // not a whole number of chunks
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^\/q: 0 B of 8\.5 MiB, 0 of 100 files/);

    // large writes (straight to the nodes) and small ones (through the page cache)
    for (const bs of ['1M', '64k']) {
      const count = bs === '1M' ? 20 : 320;
      const r = run(`dd if=/dev/zero of=${q}/f bs=${bs} count=${count} 2>&1`);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toMatch(/Disk quota exceeded/);
      const size = statSync(join(q, 'f')).size;
      console.log(`quota: dd bs=${bs} into an 8.5 MiB quota stopped at ${size} bytes (limit ${LIMIT})`);
      expect(size).toBeGreaterThanOrEqual(7.5 * MiB);
      expect(size).toBeLessThanOrEqual(LIMIT);
      const st = cliStatus(pool!.cluster.url, pool!.env);
      expect(st.quotas).toEqual([expect.objectContaining({ path: '/q', bytes: LIMIT, files: 100, usedFiles: 1, usedBytes: size })]);
      // deleting gives the room back: a 4 MiB file fits again
      sh(`rm ${q}/f`);
      sh(`dd if=/dev/zero of=${q}/g bs=1M count=4 status=none`);
      expect(statSync(join(q, 'g')).size).toBe(4 * MiB);
      sh(`rm ${q}/g`);
    }
    // truncate past the limit and a growing append are refused too
    expect(run(`truncate -s 9M ${q}/t`).stderr).toMatch(/Disk quota exceeded/);
    sh(`truncate -s ${LIMIT} ${q}/t`);
    expect(run(`echo x >> ${q}/t`).stderr).toMatch(/Disk quota exceeded/);
    expect(statSync(join(q, 't')).size).toBe(LIMIT);
    const human = mempoolSync(['status', pool!.cluster.url], pool!.env).stdout;
    expect(human).toMatch(/quotas:\n {2}\/q: 8\.5 MiB of 8\.5 MiB, 1 of 100 files/);
    const got = quota('get', q, '--json');
    expect(JSON.parse(got.stdout)).toMatchObject({ path: '/q', usedBytes: LIMIT, usedFiles: 1 });
    sh(`rm ${q}/t`);
  });

  test('files: the N+1-th create under a quota dir fails with EDQUOT; renames move usage, a directory across the boundary is copied (EXDEV)', () => {
    const q = join(pool!.mnt, 'qf');
    mkdirSync(join(q, 'sub'), { recursive: true });
    expect(quota('set', q, '--files', '5').code).toBe(0); // sub counts: 4 more
    sh(`touch ${q}/a ${q}/b ${q}/sub/c ${q}/sub/d`);
    const r = run(`touch ${q}/e`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Disk quota exceeded/);
    expect(run(`mkdir ${q}/e`).stderr).toMatch(/Disk quota exceeded/);
    expect(run(`ln -s x ${q}/e`).stderr).toMatch(/Disk quota exceeded/);
    sh(`rm ${q}/a`);
    sh(`touch ${q}/e`);
    // a file renamed in from outside is counted (refused when full), one renamed out is not
    writeFileSync(join(pool!.mnt, 'outside'), 'x');
    expect(run(`mv ${pool!.mnt}/outside ${q}/outside`).stderr).toMatch(/Disk quota exceeded/);
    sh(`mv ${q}/e ${pool!.mnt}/e-out`);
    sh(`mv ${pool!.mnt}/outside ${q}/outside`);
    // a directory with entries moved out crosses the boundary: rename says EXDEV, mv copies it
    sh(`mv ${q}/sub ${pool!.mnt}/sub-out`);
    expect(JSON.parse(quota('get', q, '--json').stdout)).toMatchObject({ usedFiles: 2, files: 5 });
    expect(sh(`ls ${pool!.mnt}/sub-out`).split('\n').filter(Boolean).sort()).toEqual(['c', 'd']);
    expect(quota('clear', q).code).toBe(0);
    expect(quota('get', q).stdout).toMatch(/no quota/);
    sh(`touch ${q}/1 ${q}/2 ${q}/3 ${q}/4`);
    sh(`rm -r ${q} ${pool!.mnt}/sub-out ${pool!.mnt}/e-out`);
  });

  test('quota CLI: a pool path with --manager, bad input gets a one-line reason', () => {
    mkdirSync(join(pool!.mnt, 'p'));
    const ok = quota('set', '/p', '--manager', pool!.cluster.url, '--bytes', '1G');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^\/p: 0 B of 1 GiB, 0 of unlimited files/);
    expect(quota('set', '/nope', '--manager', pool!.cluster.url, '--bytes', '1G').stderr).toMatch(/ENOENT/);
    expect(quota('set', '/p', '--manager', pool!.cluster.url).stderr).toMatch(/--bytes/);
    expect(quota('set', '/p', '--manager', pool!.cluster.url, '--files', '-3').code).not.toBe(0);
    expect(quota('get', '/tmp').stderr).toMatch(/not under a mempool mount/);
    expect(quota('clear', '/p', '--manager', pool!.cluster.url).code).toBe(0);
    sh(`rmdir ${pool!.mnt}/p`);
  });

  test('xattrs: the errnos tmpfs gives for 64 KiB values and 255-byte names; a full per-file budget is ENOSPC', () => {
    const tmpfs = pool!.tmpfs!;
    /** setfattr with a value of size bytes: 'ok' or its error message without the path. */
    const set = (path: string, name: string, size: number) => {
      const r = run(`setfattr -n ${name} -v "$(head -c ${size} /dev/zero | tr '\\0' v)" ${path}`);
      return r.code === 0 ? 'ok' : r.stderr.replace(path, 'F').trim();
    };
    const answers = (dir: string) => {
      const f = join(dir, 'x');
      writeFileSync(f, '');
      return [set(f, 'user.v', 65536), set(f, 'user.w', 65537), set(f, 'user.' + 'n'.repeat(250), 1), set(f, 'user.' + 'n'.repeat(251), 1)];
    };
    const local = answers(tmpfs);
    expect(local).toEqual(['ok', 'setfattr: F: Argument list too long', 'ok', 'setfattr: F: Numerical result out of range']);
    expect(answers(pool!.mnt)).toEqual(local);
    // --max-xattr-bytes 256KiB: four 64 KiB values do not fit in one file (names count too)
    const f = join(pool!.mnt, 'x');
    expect([set(f, 'user.a', 65536), set(f, 'user.b', 65536), set(f, 'user.c', 65536)]).toEqual(['ok', 'ok', 'setfattr: F: No space left on device']);
    expect(run(`setfattr -x user.v ${f} && setfattr -n user.c -v small ${f}`).code).toBe(0);
    sh(`rm ${f} ${tmpfs}/x`);
  });

  test('placements: only a window past the size; sparse writes far out (dd seek=) still work', async () => {
    const mnt = pool!.mnt;
    const blk = join(pool!.root, 'blk');
    sh(`head -c 4096 /dev/urandom > ${blk}`);
    // a small write 3.8 GiB out (through the page cache) and 2 MiB at 5000 MiB (straight to the nodes)
    sh(`dd if=${blk} of=${mnt}/sparse bs=4096 seek=1000000 conv=notrunc status=none`);
    expect(statSync(join(mnt, 'sparse')).size).toBe(1000001 * 4096);
    sh(`cmp <(dd if=${mnt}/sparse bs=4096 skip=1000000 count=1 status=none) ${blk}`);
    sh(`head -c ${2 * MiB} /dev/urandom > ${blk}2; dd if=${blk}2 of=${mnt}/sparse2 bs=1M seek=5000 status=none`);
    expect(statSync(join(mnt, 'sparse2')).size).toBe(5002 * MiB);
    sh(`cmp <(dd if=${mnt}/sparse2 bs=1M skip=5000 status=none) ${blk}2`);
    expect(sh(`dd if=${mnt}/sparse2 bs=1M skip=4000 count=1 status=none | tr -d '\\0' | wc -c`).trim()).toBe('0');
    // a client asking to place chunks without writing gets a window past the size, nothing far out
    const conn = await rawAuthenticated(pool!.cluster.url, pool!.env.MEMPOOL_SECRET!);
    try {
      const opened = await rawRequest(conn, Msg.Open, 1, { path: '/raw', flags: 0o102, mode: 0o644, uid: 0, gid: 0 });
      const ino = (opened.meta.attr as { ino: number }).ino;
      const far = await rawRequest(conn, Msg.Locate, 2, { ino, first: 1_000_000, count: 4096, write: true });
      expect(far.status).toBe(0);
      expect(far.meta.chunks).toEqual([]);
      const near = await rawRequest(conn, Msg.Locate, 3, { ino, first: 0, count: 4096, write: true });
      expect((near.meta.chunks as unknown[]).length).toBe(64);
      await rawRequest(conn, Msg.Release, 4, { ino });
    } finally {
      conn.ws.close();
    }
    sh(`rm ${mnt}/sparse ${mnt}/sparse2 ${mnt}/raw ${blk} ${blk}2`);
  });

  test('--max-files: ENOSPC when the pool holds its maximum of inodes, as a tmpfs with nr_inodes', () => {
    const st = cliStatus(pool!.cluster.url, pool!.env);
    const free = MAX_FILES - st.files - st.directories;
    nrInodes = join(pool!.root, 'nr');
    mkdirSync(nrInodes);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `nr_inodes=${free + 1},size=4m`, 'mempool-test-nr', nrInodes]);
    expect(m.status).toBe(0);
    const fill = (dir: string) => run(`n=0; while touch ${dir}/f$n 2>/dev/null; do n=$((n+1)); done; echo $n; touch ${dir}/last`);
    const mine = fill(pool!.mnt);
    const theirs = fill(nrInodes);
    expect(Number(mine.stdout.trim())).toBe(free);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(mine.stderr).toMatch(/No space left on device/);
    expect(theirs.stderr).toMatch(/No space left on device/);
    // df -i shows the limit
    expect(sh(`df --output=itotal ${pool!.mnt} | tail -1`).trim()).toBe(String(MAX_FILES));
    sh(`rm ${pool!.mnt}/f0`);
    sh(`touch ${pool!.mnt}/again`);
    sh(`find ${pool!.mnt} -maxdepth 1 -name 'f*' -delete; rm ${pool!.mnt}/again`);
  });
});
