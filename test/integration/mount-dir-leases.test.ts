/**
 * Directory leases into the kernel (issue 8, item 3): with --dir-leases a mount lets its kernel cache a directory's
 * entries and negative entries while it holds the directory's lease; a namespace change by another mount recalls the
 * lease, and the holder invalidates those kernel entries before the change is done. B looks names up and lists a
 * directory over and over; A creates, renames, unlinks there: B sees each change right after A's command returns.
 */
import * as path from 'path';
import { canMount, sh, TwoMounts } from '../helpers/mounts';

const SECRET = 'mount-dir-leases-secret-for-tests-0123456789';
const TERM_S = 6;
const ROUNDS = 20;
const describeMount = canMount() ? describe : describe.skip;
const two = new TwoMounts('mempool-mount-dirleases-', {
  cluster: { nodes: 2, memory: '128MiB', secret: SECRET, extraManagerArgs: ['--lease-term', String(TERM_S)] },
  argsA: ['--dir-leases'],
  argsB: ['--dir-leases', '--debug'],
});

/** 'yes' or 'no': does path exist, as stat(1) on that mount sees it. */
function exists(p: string): string {
  return sh(`stat ${p} >/dev/null 2>&1 && echo yes || echo no`).trim();
}

function names(dir: string): string[] {
  return sh(`ls -A ${dir}`)
    .split('\n')
    .filter((n) => n !== '');
}

describeMount('directory entries cached in the kernel under directory leases', () => {
  test(`B sees every create, rename and unlink by A right after it returns (${ROUNDS} rounds)`, () => {
    sh(`mkdir ${two.dirA}/d ${two.dirA}/e`);
    const a = (p: string) => path.join(two.dirA, p);
    const b = (p: string) => path.join(two.dirB, p);
    const wrong: string[] = [];
    const check = (round: number, what: string, got: unknown, want: unknown) => {
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`round ${round}, ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    };
    for (let i = 0; i < ROUNDS; i++) {
      // B looks the names up (misses, then the directory's lease and kernel entries) and lists, more than once
      for (let k = 0; k < 3; k++) {
        check(i, 'absent before create', exists(b(`d/f${i}`)), 'no');
        check(i, 'listing before create', names(b('d')).includes(`f${i}`), false);
      }
      sh(`echo ${i} > ${a(`d/f${i}`)}`);
      check(i, 'created', exists(b(`d/f${i}`)), 'yes');
      check(i, 'listing after create', names(b('d')).includes(`f${i}`), true);
      check(i, 'created, again', exists(b(`d/f${i}`)), 'yes');
      check(i, 'target absent before rename', exists(b(`d/g${i}`)), 'no');
      sh(`mv ${a(`d/f${i}`)} ${a(`d/g${i}`)}`);
      check(i, 'renamed: old name gone', exists(b(`d/f${i}`)), 'no');
      check(i, 'renamed: new name there', exists(b(`d/g${i}`)), 'yes');
      check(i, 'renamed: content', sh(`cat ${b(`d/g${i}`)}`).trim(), String(i));
      check(i, 'absent in e before a move there', exists(b(`e/g${i}`)), 'no');
      sh(`mv ${a(`d/g${i}`)} ${a(`e/g${i}`)}`);
      check(i, 'moved out of d', exists(b(`d/g${i}`)), 'no');
      check(i, 'moved into e', exists(b(`e/g${i}`)), 'yes');
      sh(`rm ${a(`e/g${i}`)}`);
      check(i, 'unlinked', exists(b(`e/g${i}`)), 'no');
      check(i, 'listing after unlink', names(b('e')).includes(`g${i}`), false);
      // a subdirectory made and removed on A
      check(i, 'subdirectory absent', exists(b(`d/s${i}`)), 'no');
      sh(`mkdir ${a(`d/s${i}`)}`);
      check(i, 'subdirectory made', exists(b(`d/s${i}`)), 'yes');
      sh(`rmdir ${a(`d/s${i}`)}`);
      check(i, 'subdirectory removed', exists(b(`d/s${i}`)), 'no');
    }
    expect(wrong).toEqual([]);
    expect(names(b('d'))).toEqual([]);
    expect(names(b('e'))).toEqual([]);
  }, 300_000);

  test('under the lease the kernel answers repeated lookups itself, names and absent names alike', () => {
    sh(`mkdir ${two.dirA}/k && touch ${two.dirA}/k/there`);
    const lookups = () => (two.mountB.output().match(/ -> op 1 node /g) ?? []).length;
    const stats = () => sh(`for i in 1 2 3 4 5 6 7 8 9 10; do stat ${two.dirB}/k/there >/dev/null; stat ${two.dirB}/k/absent >/dev/null 2>&1 || true; done`);
    stats(); // the first lookups miss, then the client takes the leases of / and k
    const before = lookups();
    stats();
    const asked = lookups() - before;
    console.log(`20 stats of a cached name and an absent one sent ${asked} LOOKUPs to the mount`);
    expect(asked).toBeLessThan(4);
    // and a change on A is still seen at once
    sh(`touch ${two.dirA}/k/absent && rm ${two.dirA}/k/there`);
    expect(exists(`${two.dirB}/k/absent`)).toBe('yes');
    expect(exists(`${two.dirB}/k/there`)).toBe('no');
  });
});
