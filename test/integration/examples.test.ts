/**
 * The shell scripts in examples/ run unmodified against `mempool up` (manager,
 * memory node and mount in one process tree, as a user starts it) and pass
 * their own verification. Ctrl-C (SIGINT) then leaves no mount and no process.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { canMount, mountsUnder, unmount } from '../helpers/mounts';
import { alive, childrenOf } from '../helpers/pool-fixture';
import { killAll, mempool, Proc, tempDir } from '../helpers/procs';

const describeMount = canMount() ? describe : describe.skip;
const EXAMPLES = path.resolve(__dirname, '../../examples');

let root = '';
let mnt = '';
let up: Proc | null = null;

/** Runs an example script; returns stdout, or throws with its stdout and stderr. */
function runExample(name: string, args: string[], env: Record<string, string> = {}): string {
  try {
    return execFileSync('bash', [path.join(EXAMPLES, name), ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60000,
    });
  } catch (err) {
    const e = err as { status: number | null; stdout: string; stderr: string };
    throw new Error(`${name} exited ${e.status}\nstdout:\n${e.stdout}\nstderr:\n${e.stderr}`, { cause: err });
  }
}

/** Entries the examples left in the mount (they clean up after themselves). */
const leftovers = () => fs.readdirSync(mnt);

describeMount('examples/ against mempool up', () => {
  beforeAll(async () => {
    root = tempDir('mempool-examples-');
    mnt = path.join(root, 'mnt');
    up = mempool(['up', mnt, '--listen', '127.0.0.1:0', '--memory', '512MiB', '--secret-file', path.join(root, 'secret-for-tests-0123456789')]);
    await up.waitFor(/^mounted ws:\/\/\S+ on /m, 30000);
  }, 40000);

  afterAll(async () => {
    if (up) await unmount(up, mnt);
    await killAll();
    if (mountsUnder(root).size === 0) fs.rmSync(root, { recursive: true, force: true });
  });

  it('every example has a header comment saying what it shows', () => {
    const scripts = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const s of scripts) {
      const head = fs.readFileSync(path.join(EXAMPLES, s), 'utf8').split('\n').slice(0, 12).join('\n');
      expect(head).toMatch(/^#!\/usr\/bin\/env bash\n# \S+\.sh: /);
      expect(head).toMatch(/What it shows:/);
      expect(fs.statSync(path.join(EXAMPLES, s)).mode & 0o111).not.toBe(0);
    }
  });

  it('parallel-wordcount.sh: workers share parts and partial counts through the pool; the merge matches one process', () => {
    const out = runExample('parallel-wordcount.sh', [mnt], { WORKERS: '4' });
    expect(out).toMatch(/^input: 200000 lines, \d+ bytes on the pool$/m);
    expect(out).toMatch(/^split into 4 parts$/m);
    expect(out).toMatch(/^workers done: 4 partial counts$/m);
    expect(out).toMatch(/^verified: 4 workers counted 2400000 words \(20 distinct\), identical to a single-process count$/m);
    expect(leftovers()).toEqual([]);
  });

  it("handoff.sh (mount point from MEMPOOL_MNT): the consumer gets the producer's tree intact", () => {
    const out = runExample('handoff.sh', [], { MEMPOOL_MNT: mnt, HANDOFF_MB: '48' });
    expect(out).toMatch(/^producer: wrote \S+ to the pool and published it$/m);
    expect(out).toMatch(/^consumer: checksum ok, unpacked 301 files$/m);
    expect(out).toMatch(/^verified: the consumer's tree is identical to the producer's/m);
    expect(leftovers()).toEqual([]);
  });

  it('build-cache.sh: cold build misses, warm build hits, an edit recompiles one file', () => {
    const out = runExample('build-cache.sh', [mnt], { SOURCES: '12' });
    expect(out).toMatch(/^cold build: hits=0 misses=13 \(checksum \d+\)$/m);
    expect(out).toMatch(/^warm build: hits=13 misses=0 \(checksum \d+\)$/m);
    expect(out).toMatch(/^after editing f3\.c: hits=12 misses=1 \(checksum \d+\)$/m);
    expect(out).toMatch(/^verified: the warm build compiled nothing/m);
    expect(leftovers()).toEqual([]);
  });

  it('a missing mount point is a clear error, not a run on the local disk', () => {
    expect(() => runExample('handoff.sh', [path.join(root, 'nowhere')])).toThrow(/exited 2[\s\S]*is not a directory \(is the pool mounted\?\)/);
  });

  it('Ctrl-C of mempool up leaves no mount and no process behind', async () => {
    const p = up!;
    up = null;
    const pid = p.child.pid!;
    const kids = childrenOf(pid); // the manager and the memory node
    expect(kids.length).toBeGreaterThanOrEqual(2);
    expect(await p.stop('SIGINT')).toBe(0);
    expect([...mountsUnder(root).keys()]).toEqual([]);
    const end = Date.now() + 8000;
    while (kids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect([pid, ...kids].filter(alive)).toEqual([]);
  });
});
