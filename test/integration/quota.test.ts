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

const MiB = 1024 * 1024;
const MAX_FILES = 300;
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
    const py = (path: string, name: string, size: number) =>
      run(`python3 -c "import os,sys
try: os.setxattr(sys.argv[1], sys.argv[2], b'v' * int(sys.argv[3])); print('ok')
except OSError as e: print(e.errno)" ${path} ${name} ${size}`).stdout.trim();
    const answers = (dir: string) => {
      writeFileSync(join(dir, 'x'), '');
      const f = join(dir, 'x');
      return [py(f, 'user.v', 65536), py(f, 'user.w', 65537), py(f, 'user.' + 'n'.repeat(250), 1), py(f, 'user.' + 'n'.repeat(251), 1)];
    };
    const local = answers(tmpfs);
    expect(local).toEqual(['ok', '7', 'ok', '34']); // E2BIG, ERANGE
    expect(answers(pool!.mnt)).toEqual(local);
    // --max-xattr-bytes 256KiB: four 64 KiB values do not fit in one file (names count too)
    const f = join(pool!.mnt, 'x');
    expect([py(f, 'user.a', 65536), py(f, 'user.b', 65536), py(f, 'user.c', 65536)]).toEqual(['ok', 'ok', '28']);
    expect(run(`setfattr -x user.v ${f} && setfattr -n user.c -v small ${f}`).code).toBe(0);
    sh(`rm ${f} ${tmpfs}/x`);
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
