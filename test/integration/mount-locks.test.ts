/**
 * Cluster-wide locks through real mounts (issue 8, item 5): two mounts of one pool, each its own FUSE process, take
 * flock(2) and fcntl(2) locks on the same files; the locks are held at the manager, so they conflict across mounts as
 * on one machine: flock(1) serializes shell read-modify-write loops, byte ranges conflict (GETLK, SETLK's EAGAIN,
 * SETLKW waiting and interrupted by a signal), a holder killed with -9 lets go, and sqlite3 inserts from both mounts.
 */
import { ChildProcess, exec, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { canMount, sh, TwoMounts } from '../helpers/mounts';

const SECRET = 'mount-locks-secret-for-tests-0123456789';
const TERM_S = 3;
/** flock(1) iterations per mount (MEMPOOL_LOCK_ITERS overrides, for a quicker run). */
const ITERS = Number(process.env.MEMPOOL_LOCK_ITERS ?? 500);
/** sqlite3 rows inserted per mount. */
const ROWS = Number(process.env.MEMPOOL_SQLITE_ROWS ?? 500);
/** sqlite3's busy timeout (ms): sqlite polls F_SETLK with sleeps of up to 100 ms, so on this slow file system one side can lose the race for more than 10 s (seen at 10 s here); MEMPOOL_SQLITE_BUSY_MS overrides. */
const BUSY_MS = Number(process.env.MEMPOOL_SQLITE_BUSY_MS ?? 60_000);
const describeMount = canMount() ? describe : describe.skip;
const run = promisify(exec);

/**
 * A python3 process driving fcntl on one file, one command per stdin line, one answer per stdout line:
 * "lock TYPE START LEN [wait]" (TYPE r, w or u; answers "ok" or the errno name), "getlk TYPE START LEN" (answers
 * "TYPE START LEN" of the blocking lock, or "u"), "alarm S" (a signal in S seconds interrupts the next wait: "EINTR").
 */
const LOCKER = String.raw`
import errno, fcntl, os, signal, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
T = {'r': fcntl.F_RDLCK, 'w': fcntl.F_WRLCK, 'u': fcntl.F_UNLCK}
N = {v: k for k, v in T.items()}
class Alarm(Exception): pass
def on_alarm(sig, frame): raise Alarm()
signal.signal(signal.SIGALRM, on_alarm)
print('ready', flush=True)
for line in sys.stdin:
    w = line.split()
    try:
        if w[0] == 'lock':
            fl = struct.pack('=hh4xqqi4x', T[w[1]], 0, int(w[2]), int(w[3]), 0)
            fcntl.fcntl(fd, fcntl.F_SETLKW if len(w) > 4 else fcntl.F_SETLK, fl)
            print('ok', flush=True)
        elif w[0] == 'getlk':
            fl = struct.pack('=hh4xqqi4x', T[w[1]], 0, int(w[2]), int(w[3]), 0)
            t, _, s, l, _ = struct.unpack('=hh4xqqi4x', fcntl.fcntl(fd, fcntl.F_GETLK, fl))
            print(N[t] if t == fcntl.F_UNLCK else '%s %d %d' % (N[t], s, l), flush=True)
        elif w[0] == 'alarm':
            signal.alarm(int(w[1]))
            print('ok', flush=True)
    except Alarm:
        print('EINTR', flush=True)
    except OSError as e:
        signal.alarm(0)
        print(errno.errorcode.get(e.errno, str(e.errno)), flush=True)
`;

/** One LOCKER process on file. */
class Locker {
  readonly proc: ChildProcess;
  private buf = '';
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  constructor(file: string, script: string) {
    this.proc = spawn('python3', [script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 1);
      }
      this.waiter?.();
    });
  }
  /** The next answer line (deadline: ms). */
  async next(ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    while (this.lines.length === 0) {
      if (Date.now() > end || this.proc.exitCode !== null) throw new Error(`no answer from the locker within ${ms} ms`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 100);
      });
    }
    return this.lines.shift()!;
  }
  /** True when an answer is waiting. */
  get answered(): boolean {
    return this.lines.length > 0;
  }
  send(cmd: string): void {
    this.proc.stdin!.write(cmd + '\n');
  }
  async ask(cmd: string, ms?: number): Promise<string> {
    this.send(cmd);
    return this.next(ms);
  }
  stop(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

let script = '';
const lockers: Locker[] = [];
const two = new TwoMounts('mempool-mount-locks-', {
  cluster: { nodes: 2, memory: '256MiB', secret: SECRET, extraManagerArgs: ['--lease-term', String(TERM_S)] },
  prepare: (root) => {
    script = path.join(root, 'locker.py');
    fs.writeFileSync(script, LOCKER);
  },
  beforeTeardown: () => lockers.forEach((l) => l.stop()),
});

function locker(file: string): Locker {
  const l = new Locker(file, script);
  lockers.push(l);
  return l;
}

describeMount('cluster-wide locks through two mounts', () => {
  test(`flock(1) serializes a read-modify-write loop run on both mounts at once: ${ITERS} iterations each`, async () => {
    fs.writeFileSync(path.join(two.dirA, 'counter'), '0\n');
    const loop = (dir: string) => run(`for i in $(seq ${ITERS}); do flock counter.lock sh -c 'n=$(cat counter); echo $((n+1)) > counter'; done`, { cwd: dir, shell: '/bin/bash' });
    const started = Date.now();
    await Promise.all([loop(two.dirA), loop(two.dirB)]);
    const ms = Date.now() - started;
    console.log(`flock counter: ${2 * ITERS} locked increments from two mounts in ${ms} ms`);
    expect(fs.readFileSync(path.join(two.dirB, 'counter'), 'utf8').trim()).toBe(String(2 * ITERS));
    expect(fs.readFileSync(path.join(two.dirA, 'counter'), 'utf8').trim()).toBe(String(2 * ITERS));
  }, 600_000);

  test('flock -n on one mount fails while the other holds the lock, and succeeds once it is let go', async () => {
    const holder = spawn('flock', [path.join(two.dirA, 'excl.lock'), '-c', 'echo held; read x'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((res) => holder.stdout!.once('data', () => res()));
    expect(() => sh(`flock -n ${path.join(two.dirB, 'excl.lock')} true`)).toThrow(/status 1/);
    holder.stdin!.end('\n');
    await new Promise((res) => holder.once('exit', res));
    sh(`flock -n ${path.join(two.dirB, 'excl.lock')} true`);
  });

  test('fcntl byte-range locks conflict across mounts: GETLK sees the holder, SETLK gets EAGAIN, SETLKW waits, a signal interrupts it', async () => {
    const a = locker(path.join(two.dirA, 'ranges'));
    const b = locker(path.join(two.dirB, 'ranges'));
    expect(await a.next()).toBe('ready');
    expect(await b.next()).toBe('ready');
    expect(await a.ask('lock w 100 100')).toBe('ok'); // bytes 100..199
    expect(await b.ask('getlk w 150 10')).toBe('w 100 100');
    expect(await b.ask('getlk r 0 100')).toBe('u'); // bytes 0..99 are free
    expect(await b.ask('lock w 150 10')).toBe('EAGAIN');
    expect(await b.ask('lock r 199 1')).toBe('EAGAIN');
    expect(await b.ask('lock w 0 100')).toBe('ok'); // adjacent, no overlap
    expect(await a.ask('lock r 50 10')).toBe('EAGAIN');
    // a blocked SETLKW is interrupted by a signal (FUSE INTERRUPT): EINTR, and the mount keeps serving meanwhile
    expect(await b.ask('alarm 1')).toBe('ok');
    expect(await b.ask('lock w 100 1 wait', 15_000)).toBe('EINTR');
    // a blocked SETLKW waits until the holder unlocks; the mount keeps serving other requests while it waits
    b.send('lock w 100 1 wait');
    for (let i = 0; i < 5; i++) {
      expect(await a.ask(`getlk w 0 10`)).toBe('w 0 100');
      sh(`ls ${two.dirB} >/dev/null; stat ${path.join(two.dirB, 'ranges')} >/dev/null`);
    }
    expect(b.answered).toBe(false);
    expect(await a.ask('lock u 100 100')).toBe('ok');
    expect(await b.next()).toBe('ok');
    expect(await a.ask('getlk r 100 1')).toBe('w 0 101'); // B's two adjacent write locks merged, as POSIX says
  });

  test('closing any descriptor of the file drops the POSIX locks of that process (FLUSH)', async () => {
    const a = locker(path.join(two.dirA, 'closing'));
    const b = locker(path.join(two.dirB, 'closing'));
    expect(await a.next()).toBe('ready');
    expect(await b.next()).toBe('ready');
    expect(await a.ask('lock w 0 0')).toBe('ok'); // the whole file
    expect(await b.ask('lock w 0 1')).toBe('EAGAIN');
    a.stop(); // exit closes its descriptor
    const end = Date.now() + 10_000;
    let got = await b.ask('lock w 0 1');
    while (got !== 'ok' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      got = await b.ask('lock w 0 1');
    }
    expect(got).toBe('ok');
  });

  test(`a holder killed with -9 releases its flock and fcntl locks within the lease term (${TERM_S} s) and a margin`, async () => {
    const holder = spawn('flock', [path.join(two.dirA, 'killed.lock'), '-c', `echo held; exec python3 ${script} ${path.join(two.dirA, 'killed')}`], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (s: string) => {
      const end = Date.now() + 20_000;
      while (!out.includes(s)) {
        if (Date.now() > end) throw new Error(`no "${s}" from the holder: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor('ready');
    holder.stdin!.write('lock w 0 10\n');
    await waitFor('ok');
    const b = locker(path.join(two.dirB, 'killed'));
    expect(await b.next()).toBe('ready');
    expect(await b.ask('lock w 0 1')).toBe('EAGAIN');
    expect(() => sh(`flock -n ${path.join(two.dirB, 'killed.lock')} true`)).toThrow(/status 1/);
    const killed = Date.now();
    holder.kill('SIGKILL');
    expect(await b.ask('lock w 0 1 wait', (TERM_S + 5) * 1000)).toBe('ok');
    sh(`flock -w ${TERM_S + 5} ${path.join(two.dirB, 'killed.lock')} true`);
    const ms = Date.now() - killed;
    console.log(`locks of a process killed with -9 were free on the other mount after ${ms} ms`);
    expect(ms).toBeLessThan((TERM_S + 5) * 1000);
  });

  test(`sqlite3 on both mounts at once (rollback journal, busy timeout): ${ROWS} rows each, all there, integrity ok`, async () => {
    sh(`sqlite3 ${path.join(two.dirA, 'db.sqlite')} 'PRAGMA journal_mode=DELETE; CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT, n INTEGER);'`);
    const inserts = (who: string) => {
      const f = path.join(two.root, `inserts-${who}.sql`);
      const lines = [`.timeout ${BUSY_MS}`];
      for (let i = 0; i < ROWS; i++) lines.push(`INSERT INTO t (who, n) VALUES ('${who}', ${i});`);
      fs.writeFileSync(f, lines.join('\n') + '\n');
      return f;
    };
    const fa = inserts('a');
    const fb = inserts('b');
    const started = Date.now();
    await Promise.all([run(`sqlite3 -bail db.sqlite < ${fa}`, { cwd: two.dirA, shell: '/bin/bash' }), run(`sqlite3 -bail db.sqlite < ${fb}`, { cwd: two.dirB, shell: '/bin/bash' })]);
    console.log(`sqlite3: ${2 * ROWS} inserts from two mounts in ${Date.now() - started} ms`);
    expect(sh(`sqlite3 ${path.join(two.dirB, 'db.sqlite')} "SELECT who, count(*), count(DISTINCT n) FROM t GROUP BY who ORDER BY who;"`).trim()).toBe(`a|${ROWS}|${ROWS}\nb|${ROWS}|${ROWS}`);
    expect(sh(`sqlite3 ${path.join(two.dirA, 'db.sqlite')} 'PRAGMA integrity_check;'`).trim()).toBe('ok');
  }, 600_000);
});
