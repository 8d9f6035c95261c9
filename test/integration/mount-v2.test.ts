/**
 * What the inode-based FUSE layer (mount/fuse/) adds over the libfuse 2
 * mount, on two real mounts of one pool: a shared mapping written on A and
 * msync'ed is read on B (no ENODEV); a write by a non-owner clears SUID (and
 * SGID with group exec) as on tmpfs; an open file whose last name was
 * unlinked shows st_nlink 0; a 1 MiB write() reaches the daemon as one
 * request (max_pages).
 */
import * as fs from 'fs';
import * as path from 'path';
import { canMount, sh, TwoMounts } from '../helpers/mounts';

const SECRET = 'mount-v2-secret-for-tests-0123456789';
const describeMount = canMount() ? describe : describe.skip;
/** A logs every request (--debug): the 1 MiB test reads the sizes of the WRITE requests it got. */
const two = new TwoMounts('mempool-mount-v2-', {
  cluster: { nodes: 1, memory: '256MiB', secret: SECRET },
  argsA: ['--debug'],
  prepare: (root) => fs.chmodSync(root, 0o755), // an unprivileged user must reach the mounts
});

/** Runs a python3 program with arguments; returns its stdout. */
function py(program: string, ...args: string[]): string {
  const file = path.join(two.root, 'prog.py');
  fs.writeFileSync(file, program);
  return sh(`python3 ${file} ${args.map((a) => `'${a}'`).join(' ')}`).trim();
}

describeMount('mount v2: shared mmap, SUID clearing, nlink 0, 1 MiB requests', () => {
  it('MAP_SHARED on A, msync: B reads the bytes through read() and through its own mapping; A sees B’s mapped writes', () => {
    const writer = `
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 65536)
m = mmap.mmap(fd, 65536, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[0:11] = b'hello from '
m[40000:40005] = sys.argv[2].encode()
m.flush()
m.close()
os.close(fd)
print('ok')
`;
    expect(py(writer, path.join(two.dirA, 'shared'), 'AAAAA')).toBe('ok');
    expect(fs.readFileSync(path.join(two.dirB, 'shared')).subarray(40000, 40005).toString()).toBe('AAAAA');
    const reader = `
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 65536, mmap.MAP_SHARED, mmap.PROT_READ)
print(m[0:11].decode() + m[40000:40005].decode())
`;
    expect(py(reader, path.join(two.dirB, 'shared'))).toBe('hello from AAAAA');
    // and the other way round, B's mapping written and msync'ed, read on A
    expect(py(writer, path.join(two.dirB, 'shared'), 'BBBBB')).toBe('ok');
    expect(py(reader, path.join(two.dirA, 'shared'))).toBe('hello from BBBBB');
    expect(fs.readFileSync(path.join(two.dirA, 'shared')).subarray(40000, 40005).toString()).toBe('BBBBB');
  });

  it('a write by a non-owner clears SUID, and SGID when group-executable (as tmpfs); root keeps them', () => {
    const f = (n: string) => path.join(two.dirA, n);
    const cases: Array<[string, number, string]> = [
      ['suid', 0o4777, '777'],
      ['sgid-x', 0o2777, '777'],
      ['sgid-nox', 0o2767, '2767'],
      ['both', 0o6777, '777'],
    ];
    for (const [name, mode] of cases) {
      fs.writeFileSync(f(name), 'x');
      fs.chmodSync(f(name), mode);
    }
    for (const [name, , want] of cases) {
      sh(`setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo more >> ${f(name)}'`);
      expect([name, sh(`stat -c %a ${path.join(two.dirB, name)}`).trim()]).toEqual([name, want]);
    }
    fs.writeFileSync(f('root-writes'), 'x');
    fs.chmodSync(f('root-writes'), 0o4755);
    fs.appendFileSync(f('root-writes'), 'more');
    expect(sh(`stat -c %a ${f('root-writes')}`).trim()).toBe('4755');
    // a truncate by a non-owner clears it too
    fs.writeFileSync(f('trunc'), 'xyz');
    fs.chmodSync(f('trunc'), 0o4777);
    sh(`setpriv --reuid=65534 --regid=65534 --clear-groups truncate -s 1 ${f('trunc')}`);
    expect(sh(`stat -c '%a %s' ${f('trunc')}`).trim()).toBe('777 1');
  });

  it('st_nlink is 0 on an open file after its last name is unlinked (and the data stays readable)', () => {
    const out = py(
      `
import os, sys
p = sys.argv[1]
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b'still here')
os.link(p, p + '.2')
os.unlink(p)
n1 = os.fstat(fd).st_nlink
os.unlink(p + '.2')
n0 = os.fstat(fd).st_nlink
print(n1, n0, os.pread(fd, 10, 0).decode())
os.close(fd)
`,
      path.join(two.dirA, 'gone'),
    );
    expect(out).toBe('1 0 still here');
    expect(fs.existsSync(path.join(two.dirB, 'gone'))).toBe(false);
  });

  it('a 1 MiB write() reaches the daemon as one 1 MiB WRITE request, and reads back on B', async () => {
    sh(`head -c 4194304 /dev/urandom > ${path.join(two.root, 'src')} && dd if=${path.join(two.root, 'src')} of=${path.join(two.dirA, 'big')} bs=1M 2>/dev/null`);
    // WRITE is opcode 16; 40 header bytes + 40 write_in bytes + 1 MiB of data (the log reaches us once this process reads its pipe)
    await two.mountA.waitFor(new RegExp(`-> op 16 node \\d+ len ${80 + 1024 * 1024}\\b`), 15000);
    const sizes = [...two.mountA.output().matchAll(/-> op 16 node \d+ len (\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...sizes)).toBe(80 + 1024 * 1024);
    expect(sh(`cmp ${path.join(two.root, 'src')} ${path.join(two.dirB, 'big')} && echo same`).trim()).toBe('same');
  });
});
