/**
 * The local journal (--data-dir): a MetaLog kept in files. Records are length-prefixed and checksummed
 * (crc32) frames appended to journal-<first seq>; each append is one write plus one fdatasync (the caller
 * batches: group commit). A snapshot is written to a temporary file, synced, renamed over `snapshot`, and
 * the directory synced; the journal then moves to a new file and files wholly covered by the snapshot go.
 * Loading truncates a torn or corrupt tail (a crash in the middle of a write) and keeps every record before it.
 */
import { promises as fsp } from 'fs';
import { join } from 'path';
import { crc32 } from 'zlib';
import type { Json, LoadedLog, LogRecord, MetaLog, Snapshot } from './meta-log';

const HEADER = 8;
/** Largest frame accepted when reading back (a snapshot of a very large namespace included). */
const MAX_FRAME = 1 << 30;
const SNAPSHOT = 'snapshot';
const LOCK = 'lock';
const JOURNAL_RE = /^journal-(\d{16})$/;

/** Removes a journal's files from dir (and nothing else in it): for a pool whose memory starts empty. */
export async function clearJournal(dir: string): Promise<void> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => JOURNAL_RE.test(n) || n === SNAPSHOT || n === SNAPSHOT + '.tmp' || n === LOCK).map((n) => fsp.rm(join(dir, n), { force: true })));
}

/** A frame: u32 length, u32 crc32 of the payload, payload (UTF-8 JSON). */
export function encodeFrame(value: Json): Buffer {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER);
  return out;
}

/** Frames read from a buffer up to the first incomplete or corrupt one, and where the good part ends. */
export function decodeFrames(buf: Buffer): { values: Json[]; end: number } {
  const values: Json[] = [];
  let at = 0;
  while (buf.length - at >= HEADER) {
    const len = buf.readUInt32LE(at);
    if (len > MAX_FRAME || at + HEADER + len > buf.length) break;
    const payload = buf.subarray(at + HEADER, at + HEADER + len);
    if (crc32(payload) !== buf.readUInt32LE(at + 4)) break;
    let value: Json;
    try {
      value = JSON.parse(payload.toString('utf8')) as Json;
    } catch {
      break;
    }
    values.push(value);
    at += HEADER + len;
  }
  return { values, end: at };
}

/** The file name of the journal file whose first record is seq. */
function journalName(seq: number): string {
  return `journal-${String(seq).padStart(16, '0')}`;
}

/** A LogRecord read back, or null if the value is not one. */
function asRecord(v: Json): LogRecord | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof v.seq !== 'number' || v.op === undefined) return null;
  return { seq: v.seq, op: v.op };
}

/** Options of a journal. */
export interface JournalOptions {
  /** Where torn tails and other recoveries are reported. */
  log?: (msg: string) => void;
}

/** A MetaLog in a local directory. */
export class Journal implements MetaLog {
  private file: fsp.FileHandle | null = null;
  /** Journal files by first seq, oldest first. */
  private files: number[] = [];
  private lastSeq = 0;
  /** Serializes appends, snapshots and rotation. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Set once a write or sync failed: what reached the disk is unknown, so nothing more may be appended. */
  private broken: Error | null = null;
  private readonly log: (msg: string) => void;

  constructor(
    readonly dir: string,
    opts: JournalOptions = {},
  ) {
    this.log = opts.log ?? ((m) => console.error(m));
  }

  /** Locks the directory, reads the snapshot and the journal after it (cutting a torn tail), and opens the journal for appending. */
  async load(): Promise<LoadedLog> {
    await fsp.mkdir(this.dir, { recursive: true });
    await this.lock();
    let snapshot: Snapshot | null = null;
    const snapBuf = await fsp.readFile(join(this.dir, SNAPSHOT)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (snapBuf) {
      const { values, end } = decodeFrames(snapBuf);
      const v = values[0];
      if (values.length !== 1 || end !== snapBuf.length || v === null || typeof v !== 'object' || Array.isArray(v) || typeof v.seq !== 'number' || v.state === undefined) {
        throw new Error(`${join(this.dir, SNAPSHOT)} is corrupt (it is only ever replaced by rename, so the disk lost it)`);
      }
      snapshot = { seq: v.seq, state: v.state };
    }
    await fsp.rm(join(this.dir, SNAPSHOT + '.tmp'), { force: true });
    const names = await fsp.readdir(this.dir);
    this.files = names
      .map((n) => JOURNAL_RE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const records: LogRecord[] = [];
    let last = snapshot?.seq ?? 0;
    for (let i = 0; i < this.files.length; i++) {
      const first = this.files[i] ?? 0;
      const path = join(this.dir, journalName(first));
      const buf = await fsp.readFile(path);
      const { values, end } = decodeFrames(buf);
      const isLast = i === this.files.length - 1;
      if (end < buf.length) {
        if (!isLast) throw new Error(`${path} is corrupt at byte ${end} and is not the newest journal file`);
        this.log(`journal ${path}: cutting a torn or corrupt tail of ${buf.length - end} bytes at byte ${end} (a crash during a write)`);
        await fsp.truncate(path, end);
      }
      let expect = first;
      for (const v of values) {
        const r = asRecord(v);
        if (!r || r.seq !== expect) throw new Error(`${path}: record ${expect - first + 1} has seq ${r?.seq} where ${expect} was expected`);
        expect++;
        if (r.seq <= last) continue;
        if (r.seq !== last + 1) throw new Error(`${path}: records ${last + 1}..${r.seq - 1} are missing`);
        records.push(r);
        last = r.seq;
      }
    }
    this.lastSeq = last;
    const tail = this.files[this.files.length - 1];
    if (tail !== undefined && tail > last + 1) throw new Error(`${join(this.dir, journalName(tail))} starts at record ${tail}, but the records end at ${last}`);
    if (tail !== undefined) {
      this.file = await fsp.open(join(this.dir, journalName(tail)), 'a');
    } else await this.rotate();
    return { snapshot, records };
  }

  /** Appends ops as records seq+1, seq+2, … in one write and one fdatasync; resolves with the last seq once durable. */
  append(ops: Json[]): Promise<number> {
    return this.serialized(async () => {
      if (this.broken) throw this.broken;
      if (!this.file) throw new Error('journal is not open');
      if (ops.length === 0) return this.lastSeq;
      const frames = ops.map((op, i) => encodeFrame({ seq: this.lastSeq + 1 + i, op }));
      try {
        await writeAll(this.file, Buffer.concat(frames));
        await this.file.datasync();
      } catch (err) {
        this.broken = new Error(`journal write failed, no further appends: ${(err as Error).message}`);
        throw this.broken;
      }
      this.lastSeq += ops.length;
      return this.lastSeq;
    });
  }

  /** Writes the snapshot durably (temporary file, fsync, rename, fsync of the directory), then starts a new journal file and drops covered ones. */
  saveSnapshot(snapshot: Snapshot): Promise<void> {
    const frame = encodeFrame({ seq: snapshot.seq, state: snapshot.state }); // now: the caller's state may change after this call
    return this.serialized(async () => {
      if (this.broken) throw this.broken;
      const tmp = join(this.dir, SNAPSHOT + '.tmp');
      const fh = await fsp.open(tmp, 'w');
      try {
        await writeAll(fh, frame);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, join(this.dir, SNAPSHOT));
      await syncDir(this.dir);
      await this.rotate();
      // A file is covered when the next one starts at or below snapshot.seq + 1.
      const keep: number[] = [];
      for (let i = 0; i < this.files.length; i++) {
        const first = this.files[i] ?? 0;
        const next = this.files[i + 1];
        if (next !== undefined && next <= snapshot.seq + 1) await fsp.rm(join(this.dir, journalName(first)), { force: true });
        else keep.push(first);
      }
      this.files = keep;
      await syncDir(this.dir);
    });
  }

  /** Where this journal lives. */
  describe(): string {
    return `journal in ${this.dir}`;
  }

  /** Closes the journal file and releases the directory lock. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.file?.close().catch(() => undefined);
    this.file = null;
    await fsp.rm(join(this.dir, LOCK), { force: true });
  }

  /** Starts a new journal file for the records after lastSeq (its directory entry synced before any record is acknowledged in it). */
  private async rotate(): Promise<void> {
    const first = this.lastSeq + 1;
    if (this.files[this.files.length - 1] === first && this.file) return;
    const next = await fsp.open(join(this.dir, journalName(first)), 'a');
    await syncDir(this.dir);
    await this.file?.close();
    this.file = next;
    if (this.files[this.files.length - 1] !== first) this.files.push(first);
  }

  /** Refuses a directory another live manager uses (a lock file holding its pid; a dead pid's lock is taken over). */
  private async lock(): Promise<void> {
    const path = join(this.dir, LOCK);
    const held = await fsp.readFile(path, 'utf8').catch(() => '');
    const pid = parseInt(held, 10);
    if (pid > 0 && pid !== process.pid && alive(pid)) throw new Error(`${this.dir} is in use by process ${pid} (another manager)`);
    await fsp.writeFile(path, `${process.pid}\n`);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Writes a whole buffer at the file's end. */
async function writeAll(fh: fsp.FileHandle, buf: Buffer): Promise<void> {
  for (let at = 0; at < buf.length;) {
    const { bytesWritten } = await fh.write(buf, at, buf.length - at);
    at += bytesWritten;
  }
}

/** fsync of a directory: makes created, renamed and removed entries durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** True if a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
