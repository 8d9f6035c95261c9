/**
 * A process that does file I/O on command, for benchmarks that need several
 * processes on different mounts taking turns through long-lived descriptors.
 * Run as `node dist/bench/fd-agent.js`; reads one JSON command per line on
 * stdin, answers one JSON line on stdout (with the syscall time in µs):
 *   {"op":"open","id":"f","path":P,"flags":"r+"|"a"|"w+"|"r"}  → {}
 *   {"op":"openMany","prefix":P,"count":N,"flags":F}  → {}   (ids "0".."N-1", paths P0..P{N-1})
 *   {"op":"pwrite","id":I,"pos":N,"text":S}            → {"us"}
 *   {"op":"pread","id":I,"pos":N,"len":N}              → {"us","text"}
 *   {"op":"append","id":I,"tag":S,"count":N}           → {"seconds"}  (N lines "S i\n", one write() each)
 *   {"op":"readFile","path":P}                         → {"bytes","seconds"} (1 MiB reads)
 *   {"op":"close","id":I}                              → {}
 * Errors answer {"error": message}.
 */
import { closeSync, openSync, readSync, writeSync } from 'fs';
import { createInterface } from 'readline';

/** One command line from the driver. */
interface Command {
  op: string;
  id?: string;
  path?: string;
  prefix?: string;
  flags?: string;
  count?: number;
  pos?: number;
  len?: number;
  text?: string;
  tag?: string;
}

const fds = new Map<string, number>();
const buf = Buffer.alloc(1024 * 1024);

function fd(id: string | undefined): number {
  const f = fds.get(id ?? '');
  if (f === undefined) throw new Error(`no open file "${id}"`);
  return f;
}

/** Microseconds since an arbitrary origin. */
function us(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

/** Carries out one command and returns the reply. */
function handle(c: Command): Record<string, unknown> {
  switch (c.op) {
    case 'open':
      fds.set(c.id!, openSync(c.path!, c.flags ?? 'r+'));
      return {};
    case 'openMany':
      for (let i = 0; i < c.count!; i++) fds.set(String(i), openSync(`${c.prefix}${i}`, c.flags ?? 'r+'));
      return {};
    case 'pwrite': {
      const data = Buffer.from(c.text!);
      const t0 = us();
      const n = writeSync(fd(c.id), data, 0, data.length, c.pos!);
      const t1 = us();
      if (n !== data.length) throw new Error(`short write ${n}`);
      return { us: t1 - t0 };
    }
    case 'pread': {
      const t0 = us();
      const n = readSync(fd(c.id), buf, 0, c.len!, c.pos!);
      const t1 = us();
      return { us: t1 - t0, text: buf.toString('utf8', 0, n) };
    }
    case 'append': {
      const f = fd(c.id);
      const t0 = us();
      for (let i = 0; i < c.count!; i++) {
        const line = Buffer.from(`${c.tag} ${i}\n`);
        if (writeSync(f, line) !== line.length) throw new Error('short append');
      }
      return { seconds: (us() - t0) / 1e6 };
    }
    case 'readFile': {
      const f = openSync(c.path!, 'r');
      const t0 = us();
      let bytes = 0;
      for (;;) {
        const n = readSync(f, buf, 0, buf.length, null);
        if (n === 0) break;
        bytes += n;
      }
      const t1 = us();
      closeSync(f);
      return { bytes, seconds: (t1 - t0) / 1e6 };
    }
    case 'close':
      closeSync(fd(c.id));
      fds.delete(c.id!);
      return {};
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let reply: Record<string, unknown>;
  try {
    reply = handle(JSON.parse(line) as Command);
  } catch (err) {
    reply = { error: (err as Error).message };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
});
rl.on('close', () => {
  for (const f of fds.values()) closeSync(f);
  process.exit(0);
});
process.stdout.write('fd-agent ready\n');
