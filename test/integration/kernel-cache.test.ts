/**
 * Kernel caching under leases (`mempool mount --kernel-cache`): while a mount
 * holds a file's lease the kernel keeps its pages (FOPEN_KEEP_CACHE); a recall
 * first invalidates them (INVAL_INODE), then is answered. Two mounts: reads
 * on B after writes on A always see the new bytes, through read() and through
 * a shared mapping B keeps open across A's writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FdProcess, killFdProcesses } from '../helpers/fd-process';
import { canMount, sh, TwoMounts } from '../helpers/mounts';

const SECRET = 'kernel-cache-secret-for-tests-0123456789';
const describeMount = canMount() ? describe : describe.skip;
const two = new TwoMounts('mempool-kcache-', {
  cluster: { nodes: 1, memory: '256MiB', secret: SECRET, extraManagerArgs: ['--lease-term', '3'] },
  argsA: ['--kernel-cache'],
  argsB: ['--kernel-cache'],
  beforeTeardown: killFdProcesses,
});

describeMount('kernel cache under leases (--kernel-cache)', () => {
  it('200 rounds: write on A, read twice on B (the second from the kernel cache), always the new bytes', () => {
    const wrong: string[] = [];
    for (let i = 0; i < 200; i++) {
      const text = `round ${i} `.repeat(1000);
      fs.writeFileSync(path.join(two.dirA, 'f'), text);
      for (let r = 0; r < 2; r++) {
        const got = fs.readFileSync(path.join(two.dirB, 'f'), 'utf8');
        if (got !== text) wrong.push(`round ${i} read ${r}: ${got.slice(0, 20)}… (${got.length} bytes)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a descriptor held open on B sees each write on A at its next read (no reopen)', async () => {
    fs.writeFileSync(path.join(two.dirA, 'held'), 'x'.repeat(8192));
    const b = new FdProcess(path.join(two.dirB, 'held'), 'open');
    expect((await b.opened).ok).toBe(true);
    const wrong: string[] = [];
    for (let i = 0; i < 100; i++) {
      const value = `value ${i}`.padEnd(16, '.');
      const fd = fs.openSync(path.join(two.dirA, 'held'), 'r+');
      fs.writeSync(fd, value, 4096);
      fs.closeSync(fd);
      const r = await b.read(4096, 16);
      if (!r.ok || r.value !== value) wrong.push(`round ${i}: ${r.value}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a shared mapping kept open on B sees A’s later msync’ed writes after the recall', () => {
    fs.writeFileSync(path.join(two.dirA, 'map'), Buffer.alloc(65536));
    const out = sh(
      `python3 - ${path.join(two.dirA, 'map')} ${path.join(two.dirB, 'map')} <<'EOF'
import mmap, os, sys, time
a = os.open(sys.argv[1], os.O_RDWR)
b = os.open(sys.argv[2], os.O_RDONLY)
ma = mmap.mmap(a, 65536, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
mb = mmap.mmap(b, 65536, mmap.MAP_SHARED, mmap.PROT_READ)
bad = 0
for i in range(50):
    v = (b'%08d' % i)
    ma[1000:1008] = v
    ma.flush()
    deadline = time.time() + 10
    while mb[1000:1008] != v and time.time() < deadline: time.sleep(0.01)
    if mb[1000:1008] != v: bad += 1
print(bad)
EOF`,
    ).trim();
    expect(out).toBe('0');
  });
});
