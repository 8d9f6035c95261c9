/**
 * Unmodified tools on a real mount of a real pool (3 memory nodes, each its
 * own process): cp -a + diff -r, dd of 256 MiB, tar of 2,000 files, rsync,
 * git, sqlite3, gcc (and running the binary from the mount), mv across
 * directories, find | wc -l and rm -rf. Nothing stays mounted or running.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { canMount, sh } from '../helpers/mounts';
import { MountedPool, removeRoot, startMountedPool, stopMountedPool, finishMountedPool } from '../helpers/pool-fixture';

const describeMount = canMount() ? describe : describe.skip;

let pool: MountedPool | null = null;
let mnt = '';
let local = '';

/** Runs a bash command in the mount. */
const run = (cmd: string, timeoutMs = 120000) => sh(cmd, mnt, timeoutMs);
/** A listing of a tree that shows type, mode, owner, size, link count, mtime (ns) and symlink target of every entry. */
const listing = (dir: string, time = '%TY-%Tm-%Td %TT') => sh(`find . -printf '%P %y %m %U:%G %s %n ${time} %l\\n' | LC_ALL=C sort`, dir);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A local tree with every kind of entry cp -a and rsync -a must keep: modes, owners, setgid dir, symlinks (also dangling), a hard link, a fifo, an empty file, times. */
function makeTree(dir: string): void {
  fs.mkdirSync(dir);
  sh(
    [
      'mkdir -p a/b/c priv sg && chmod 700 priv && chmod 2775 sg',
      'echo x > a/file && chmod 640 a/file && echo y > priv/secret && chmod 600 priv/secret',
      `printf '#!/bin/sh\\necho hi\\n' > a/b/run.sh && chmod 755 a/b/run.sh && chown 1234:5678 a/b/run.sh`,
      'echo ro > a/b/c/ro && chmod 444 a/b/c/ro && : > empty && head -c 3000000 /dev/urandom > a/rand',
      'ln -s file a/link && ln -s ../nowhere a/b/dangling && ln a/file a/hard && mkfifo a/fifo',
      'for i in $(seq 1 200); do echo "line $i" > sg/n$i; done',
      // ms precision: fuse-native carries milliseconds
      'find . -depth -exec touch -h -d "2001-02-03 04:05:06.789" {} +',
    ].join(' && '),
    dir,
  );
}

describeMount('unmodified tools on a mounted pool', () => {
  beforeAll(async () => {
    pool = await startMountedPool('mempool-tools-', { nodes: 3, memory: '512MiB' });
    mnt = pool.mnt;
    local = path.join(pool.root, 'local');
    fs.mkdirSync(local);
    makeTree(path.join(local, 'tree'));
  }, 60000);

  afterAll(async () => {
    await stopMountedPool(pool);
    removeRoot(pool);
  });

  it('cp -a keeps contents, modes, owners, links and times (diff -r and a full listing)', () => {
    run(`cp -a ${local}/tree cpa`);
    expect(sh(`diff -r --no-dereference ${local}/tree ${mnt}/cpa 2>&1 | grep -v 'is a fifo while' || true`)).toBe('');
    expect(listing(path.join(mnt, 'cpa'))).toBe(listing(path.join(local, 'tree')));
    expect(run('stat -c %F cpa/a/fifo').trim()).toBe('fifo');
    expect(run('stat -c "%h %i" cpa/a/file').trim()).toBe(run('stat -c "%h %i" cpa/a/hard').trim());
  });

  it('dd of 256 MiB in and out (bs=1M) with matching sha256', () => {
    const src = path.join(local, 'big.bin');
    sh(`head -c 268435456 /dev/urandom > ${src}`);
    run(`dd if=${src} of=big.bin bs=1M status=none`);
    expect(fs.statSync(path.join(mnt, 'big.bin')).size).toBe(268435456);
    run(`dd if=big.bin of=${local}/back.bin bs=1M status=none`);
    const want = sha256(src);
    expect(sha256(path.join(local, 'back.bin'))).toBe(want);
    expect(run('sha256sum big.bin').split(' ')[0]).toBe(want);
    run('rm big.bin');
    fs.rmSync(src);
    fs.rmSync(path.join(local, 'back.bin'));
  });

  it('tar of a tree of 2,000 files: extract onto the mount, create from it, contents equal', () => {
    const gen = path.join(local, 'gen');
    fs.mkdirSync(gen);
    for (let d = 0; d < 40; d++) {
      fs.mkdirSync(path.join(gen, `d${d}`, 'sub'), { recursive: true });
      for (let f = 0; f < 25; f++) {
        fs.writeFileSync(path.join(gen, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`.repeat(1 + ((d * 25 + f) % 50)));
        fs.writeFileSync(path.join(gen, `d${d}`, 'sub', `g${f}`), `sub ${d} ${f}\n`);
      }
    }
    sh(`tar -C ${gen} -cf ${local}/gen.tar .`);
    run(`mkdir untar && tar -C untar -xf ${local}/gen.tar`);
    expect(run('find untar -type f | wc -l').trim()).toBe('2000');
    expect(sh(`diff -r ${gen} ${mnt}/untar`)).toBe('');
    // and back: a tar made on the mount, stored on the mount, extracted locally
    run('tar -C untar -cf gen2.tar .');
    fs.mkdirSync(path.join(local, 'back'));
    sh(`tar -C ${local}/back -xf ${mnt}/gen2.tar`);
    expect(sh(`diff -r ${gen} ${local}/back`)).toBe('');
    expect(listing(path.join(mnt, 'untar'), '%Ts')).toBe(listing(gen, '%Ts')); // tar keeps whole seconds
  });

  it('rsync -a(H) copies a tree; a second rsync transfers nothing; a change transfers one file', () => {
    const src = path.join(local, 'tree');
    run(`rsync -aH ${src}/ rs/`); // -H: the tree has a hard link
    expect(listing(path.join(mnt, 'rs'))).toBe(listing(src));
    expect(sh(`diff -r --no-dereference ${src} ${mnt}/rs 2>&1 | grep -v 'is a fifo while' || true`)).toBe('');
    expect(run(`rsync -aH --itemize-changes ${src}/ rs/`)).toBe('');
    const stats = run(`rsync -aH --stats ${src}/ rs/`);
    expect(stats).toMatch(/Number of regular files transferred: 0/);
    sh('echo changed >> sg/n7 && touch -d "2002-01-01" sg/n7', src);
    expect(run(`rsync -aH --itemize-changes ${src}/ rs/`).trim()).toMatch(/^>f.+ sg\/n7$/);
    expect(run('cat rs/sg/n7')).toBe('line 7\nchanged\n');
  });

  it('git init/add/commit, clone (hard-linked objects) and log on the mount', () => {
    run('mkdir proj');
    const git = (cmd: string, dir = 'proj') => run(`cd ${dir} && git -c user.email=t@example.com -c user.name=tester ${cmd}`);
    git('init -q -b main');
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(mnt, 'proj', `f${i}.txt`), `content ${i}\n`);
    git('add .');
    git('commit -q -m first');
    fs.appendFileSync(path.join(mnt, 'proj', 'f1.txt'), 'more\n');
    git('commit -q -am second');
    git('gc -q');
    run('git clone -q proj cloned');
    expect(git('log --format=%s', 'cloned').trim().split('\n')).toEqual(['second', 'first']);
    expect(run('cat cloned/f1.txt')).toBe('content 1\nmore\n');
    expect(git('fsck --strict', 'cloned')).toBe('');
    expect(git('status --porcelain', 'cloned')).toBe('');
    expect(run('ls cloned | wc -l').trim()).toBe('30');
  });

  it('sqlite3: 10,000 inserts in transactions, queries, an index, integrity_check ok', () => {
    const lines = ['create table t(id integer primary key, v text, n int);'];
    for (let k = 0; k < 5; k++) {
      lines.push('begin;');
      for (let i = 0; i < 2000; i++) lines.push(`insert into t(v, n) values('v${k}-${i}', ${k * 2000 + i});`);
      lines.push('commit;');
    }
    fs.writeFileSync(path.join(local, 'inserts.sql'), lines.join('\n') + '\n');
    run(`sqlite3 db.sqlite < ${local}/inserts.sql`);
    expect(run(`sqlite3 db.sqlite 'select count(*), sum(n), max(id) from t'`).trim()).toBe('10000|49995000|10000');
    run(`sqlite3 db.sqlite 'create index ix on t(n); update t set v = upper(v) where n % 10 = 0; delete from t where n >= 9000'`);
    expect(run(`sqlite3 db.sqlite "select v from t where n = 4210"`).trim()).toBe('V2-210');
    expect(run(`sqlite3 db.sqlite 'select count(*) from t'`).trim()).toBe('9000');
    expect(run(`sqlite3 db.sqlite 'pragma integrity_check'`).trim()).toBe('ok');
    expect(run('ls db.sqlite*').trim()).toBe('db.sqlite'); // the journal is gone after commit
  });

  it('gcc compiles a C program on the mount; the binary runs from the mount', () => {
    run('mkdir cc');
    fs.writeFileSync(path.join(mnt, 'cc', 'util.h'), 'int square(int x);\n');
    fs.writeFileSync(path.join(mnt, 'cc', 'util.c'), '#include "util.h"\nint square(int x) { return x * x; }\n');
    fs.writeFileSync(path.join(mnt, 'cc', 'main.c'), '#include <stdio.h>\n#include "util.h"\nint main(int argc, char **argv) { printf("%d %s\\n", square(argc + 6), argv[1]); return 3; }\n');
    run('cd cc && gcc -O2 -c util.c && gcc -O2 -c main.c && gcc -o prog main.o util.o');
    expect(run('stat -c %a cc/prog').trim()).toBe('755');
    let out = '';
    let code = 0;
    try {
      run('./cc/prog hello');
    } catch (err) {
      const e = err as { status: number; stdout: string };
      code = e.status;
      out = e.stdout;
    }
    expect(code).toBe(3);
    expect(out).toBe('64 hello\n'); // argc 2: (2 + 6)^2
    fs.writeFileSync(path.join(mnt, 'cc', 'script.sh'), '#!/bin/sh\necho "script ran from $(dirname "$0")"\n', { mode: 0o755 });
    expect(run('cc/script.sh')).toBe('script ran from cc\n');
  });

  it('mv of files and directories across directories keeps inode and contents', () => {
    run('mkdir -p mv1/in mv2 && echo moved > mv1/file && echo deep > mv1/in/x');
    const ino = run('stat -c %i mv1/file').trim();
    run('mv mv1/file mv2/renamed && mv mv1/in mv2/');
    expect(run('stat -c %i mv2/renamed').trim()).toBe(ino);
    expect(run('cat mv2/renamed mv2/in/x')).toBe('moved\ndeep\n');
    expect(run('ls -A mv1')).toBe('');
    expect(() => run('mv mv2 mv2/in/')).toThrow(/subdirectory of itself|Invalid argument/);
  });

  it('find | wc -l counts everything; rm -rf removes it all and frees the space', async () => {
    const count = (cmd: string, cwd: string) => Number(sh(`${cmd} | wc -l`, cwd).trim());
    expect(count('find cpa', mnt)).toBe(count('find tree', local));
    expect(count('find untar', mnt)).toBe(count('find gen', local));
    expect(count('find untar -type f', mnt)).toBe(2000);
    expect(Number(run('find . | wc -l').trim())).toBeGreaterThan(2100);
    run('rm -rf ./* ./.[!.]* 2>/dev/null; true');
    expect(run('find . | wc -l').trim()).toBe('1');
    // the memory nodes give the space back (usage reaches the manager with their heartbeats)
    const end = Date.now() + 10000;
    let used = -1;
    while (Date.now() < end) {
      used = Number(run('df -B1 --output=used . | tail -1').trim());
      if (used === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(used).toBe(0);
  });

  it('leaves no mount and no process behind', async () => {
    const p = pool;
    pool = null;
    expect(await finishMountedPool(p)).toEqual({ mounts: [], pids: [] });
  });
});
