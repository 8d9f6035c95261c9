/**
 * A long-lived process holding one file open (O_RDWR, optionally O_CREAT),
 * driven over stdin/stdout: pwrite, pread, fsync and close on its own
 * descriptor. Tests use it to write on one mount without closing (so nothing
 * but the lease protocol makes the write visible elsewhere) and to read on
 * another mount through an already-open descriptor.
 */
import { ChildProcess, spawn } from 'child_process';
import { TEST_MARK } from './procs';

const SCRIPT = `
const fs = require('fs');
const path = process.argv[1];
let fd = fs.openSync(path, process.argv[2] === 'create' ? 'w+' : 'r+');
process.stdout.write('ok open\\n');
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [op, a, b] = line.split(' ');
  try {
    if (op === 'w') {
      const buf = Buffer.from(b, 'base64');
      const n = fs.writeSync(fd, buf, 0, buf.length, Number(a));
      process.stdout.write('ok ' + n + '\\n');
    } else if (op === 'r') {
      const buf = Buffer.alloc(Number(b));
      const n = fs.readSync(fd, buf, 0, buf.length, Number(a));
      process.stdout.write('ok ' + buf.subarray(0, n).toString('base64') + '\\n');
    } else if (op === 'fsync') {
      fs.fsyncSync(fd);
      process.stdout.write('ok\\n');
    } else if (op === 'close') {
      fs.closeSync(fd);
      fd = -1;
      process.stdout.write('ok\\n');
    } else process.stdout.write('err EINVAL\\n');
  } catch (e) {
    process.stdout.write('err ' + (e.code || e.message) + '\\n');
  }
});
`;

/** Reply of one operation: ok with a value, or the errno code the system call failed with. */
export interface FdReply {
  ok: boolean;
  /** Bytes written (w), the data read (r), or the error code. */
  value: string;
}

const live = new Set<FdProcess>();

/** Kills every fd process still running (afterAll). */
export function killFdProcesses(): void {
  for (const p of live) p.kill();
}

/** One open descriptor in a child process. */
export class FdProcess {
  readonly child: ChildProcess;
  private buffered = '';
  private readonly waiting: Array<(line: string | null) => void> = [];
  /** Resolves once the file is open. */
  readonly opened: Promise<FdReply>;

  /** Opens path (mode 'create' truncates or creates it) in a new child process. */
  constructor(path: string, mode: 'create' | 'open' = 'open') {
    this.child = spawn(process.execPath, ['-e', SCRIPT, path, mode], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, [TEST_MARK]: '1' } });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      let i: number;
      while ((i = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, i);
        this.buffered = this.buffered.slice(i + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.child.stdin!.on('error', () => undefined); // a killed child: the pending call rejects on exit
    live.add(this);
    this.child.on('exit', () => {
      live.delete(this);
      for (const w of this.waiting.splice(0)) w(null);
    });
    this.opened = this.next();
  }

  /** pwrite(data, pos); resolves with the reply once the system call returned. */
  write(pos: number, data: string | Buffer): Promise<FdReply> {
    return this.call(`w ${pos} ${Buffer.from(data).toString('base64')}`);
  }

  /** pread(len, pos); value is the data read (utf8). */
  async read(pos: number, len: number): Promise<FdReply> {
    const r = await this.call(`r ${pos} ${len}`);
    return r.ok ? { ok: true, value: Buffer.from(r.value, 'base64').toString() } : r;
  }

  /** fsync(fd). */
  fsync(): Promise<FdReply> {
    return this.call('fsync');
  }

  /** close(fd) (the process stays, to report the result). */
  close(): Promise<FdReply> {
    return this.call('close');
  }

  /** Ends the process. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private call(cmd: string): Promise<FdReply> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.reject(new Error('fd process exited'));
    const reply = this.next();
    this.child.stdin!.write(cmd + '\n');
    return reply;
  }

  /** The next reply line. */
  private next(): Promise<FdReply> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        if (line === null) return reject(new Error('fd process exited'));
        const sp = line.indexOf(' ');
        const head = sp < 0 ? line : line.slice(0, sp);
        resolve({ ok: head === 'ok', value: sp < 0 ? '' : line.slice(sp + 1) });
      });
    });
  }
}
