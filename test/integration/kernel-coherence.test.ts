/**
 * Coherence with the kernel caches on (the default: pages and attributes under file and directory leases, entries
 * under directory leases), two mounts of one pool: 1,000 alternating write-on-A / read-on-B rounds through read();
 * rename, unlink and chmod on A seen by stat and ls on B right after, though B's kernel cached those names and
 * attributes; a recall while B's kernel holds a file's pages makes B's next read return the new data.
 */
import * as fs from 'fs';
import * as path from 'path';
import { canMount, sh, TwoMounts } from '../helpers/mounts';

const SECRET = 'kernel-coherence-secret';
const ROUNDS = 1000;
const describeMount = canMount() ? describe : describe.skip;
/** B logs its requests (--debug) to show what its kernel served itself; no cache options: the defaults are under test. */
const two = new TwoMounts('mempool-kcoh-', { cluster: { nodes: 1, memory: '256MiB', secret: SECRET, extraManagerArgs: ['--lease-term', '6'] }, argsB: ['--debug'] });

/** FUSE requests of opcode op B's mount logged so far (--debug). */
function requestsOnB(op: number): number {
  return (two.mountB.output().match(new RegExp(` -> op ${op} node `, 'g')) ?? []).length;
}

/** Waits until B's debug log stops growing (requests of an earlier step all logged). */
async function quietB(): Promise<void> {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    const n = two.mountB.output().length;
    if (n === last) return;
    last = n;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeMount('coherence with kernel caches on (default), two mounts', () => {
  test(`${ROUNDS} rounds: write on A, read on B through read() (a descriptor held open and a fresh open), always the new bytes`, () => {
    fs.writeFileSync(path.join(two.dirA, 'rounds'), Buffer.alloc(65536));
    const out = sh(
      `python3 - ${path.join(two.dirA, 'rounds')} ${path.join(two.dirB, 'rounds')} ${ROUNDS} <<'EOF'
import os, sys
a = os.open(sys.argv[1], os.O_RDWR)
held = os.open(sys.argv[2], os.O_RDONLY)
bad = []
for i in range(int(sys.argv[3])):
    v = (b'%08d' % i) * 512
    off = (i * 4096) % 61440
    os.pwrite(a, v, off)
    got = [os.pread(held, len(v), off), os.pread(held, len(v), off)]
    b = os.open(sys.argv[2], os.O_RDONLY)
    got += [os.pread(b, len(v), off), os.pread(b, len(v), off)]
    os.close(b)
    for k, g in enumerate(got):
        if g != v: bad.append('round %d read %d: %r' % (i, k, g[:8]))
print(len(bad))
for x in bad[:10]: print(x)
EOF`,
      undefined,
      600_000,
    ).trim();
    expect(out).toBe('0');
  }, 700_000);

  test('rename, unlink and chmod on A are seen by stat and ls on B right after, though B’s kernel cached the names and attributes', async () => {
    sh(`mkdir ${two.dirA}/ns`);
    const wrong: string[] = [];
    const check = (what: string, got: string, want: string) => {
      if (got !== want) wrong.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    };
    const statB = (name: string) => sh(`stat -c '%n %a %h %s' ${two.dirB}/ns/${name} 2>/dev/null || echo absent`).trim();
    const lsB = () => sh(`ls ${two.dirB}/ns | tr '\\n' ' '`).trim();
    let served = 0;
    for (let i = 0; i < 20; i++) {
      sh(`echo ${i} > ${two.dirA}/ns/f${i} && chmod 644 ${two.dirA}/ns/f${i}`);
      // B stats and lists over and over: its kernel then holds the entry and its attributes under the leases
      for (let k = 0; k < 3; k++) check(`round ${i}: created`, statB(`f${i}`), `${two.dirB}/ns/f${i} 644 1 ${String(i).length + 1}`);
      await quietB();
      const before = requestsOnB(1) + requestsOnB(3);
      for (let k = 0; k < 5; k++) statB(`f${i}`);
      await quietB();
      if (requestsOnB(1) + requestsOnB(3) - before === 0) served++;
      check(`round ${i}: listed`, lsB(), `f${i}`);
      sh(`chmod 600 ${two.dirA}/ns/f${i}`);
      check(`round ${i}: chmod`, statB(`f${i}`), `${two.dirB}/ns/f${i} 600 1 ${String(i).length + 1}`);
      sh(`mv ${two.dirA}/ns/f${i} ${two.dirA}/ns/g${i}`);
      check(`round ${i}: renamed, old name`, statB(`f${i}`), 'absent');
      check(`round ${i}: renamed, new name`, statB(`g${i}`), `${two.dirB}/ns/g${i} 600 1 ${String(i).length + 1}`);
      check(`round ${i}: listed after rename`, lsB(), `g${i}`);
      statB(`g${i}`);
      sh(`rm ${two.dirA}/ns/g${i}`);
      check(`round ${i}: unlinked`, statB(`g${i}`), 'absent');
      check(`round ${i}: listed after unlink`, lsB(), '');
    }
    expect(wrong).toEqual([]);
    // the kernel answered the repeated stats itself in some rounds (not every: A's changes in quick succession make the
    // directory contended, uncached for a while, and a round's lease may just be renewing)
    console.log(`B's kernel answered 5 repeated stats without a request in ${served} of 20 rounds`);
    // once A leaves the directory alone, B's kernel answers repeated stats itself (waited for: the contention cools down)
    sh(`echo last > ${two.dirA}/ns/last`);
    const deadline = Date.now() + 60_000;
    let selfServed = false;
    while (!selfServed && Date.now() < deadline) {
      statB('last');
      await quietB();
      const before = requestsOnB(1) + requestsOnB(3);
      for (let k = 0; k < 5; k++) check('last', statB('last'), `${two.dirB}/ns/last 644 1 5`);
      await quietB();
      selfServed = requestsOnB(1) + requestsOnB(3) === before;
    }
    expect(wrong).toEqual([]);
    expect(selfServed).toBe(true);
  }, 300_000);

  test('a recall while B’s kernel holds the file’s pages: B’s next read returns the new data', async () => {
    const text = (i: number) => `version ${i} `.repeat(20_000);
    fs.writeFileSync(path.join(two.dirA, 'paged'), text(0));
    for (let i = 1; i <= 10; i++) {
      // B reads the file twice: the second read comes from B's page cache (no READ request reaches B's mount)
      expect(fs.readFileSync(path.join(two.dirB, 'paged'), 'utf8')).toBe(text(i - 1));
      await quietB();
      const reads = requestsOnB(15);
      expect(fs.readFileSync(path.join(two.dirB, 'paged'), 'utf8')).toBe(text(i - 1));
      await quietB();
      if (i > 1) expect(requestsOnB(15) - reads).toBe(0);
      // A's write takes the WRITE lease: B's lease is recalled, B's kernel pages invalidated before it answers
      fs.writeFileSync(path.join(two.dirA, 'paged'), text(i));
      expect(fs.readFileSync(path.join(two.dirB, 'paged'), 'utf8')).toBe(text(i));
    }
  }, 300_000);
});
