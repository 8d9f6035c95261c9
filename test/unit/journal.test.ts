/** The local journal and the logged state machine: torn-tail recovery, and snapshot + tail replay rebuilding the same state as every record applied. */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Journal, encodeFrame } from '../../src/manager/log/journal';
import type { Json, LoadedLog, MetaLog, Snapshot } from '../../src/manager/log/meta-log';
import { MetaState } from '../../src/manager/state/meta-state';
import { MetaStore } from '../../src/manager/state/meta-store';
import { toOp } from '../../src/manager/state/ops';

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mempool-journal-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const quiet = { log: () => undefined };

/** The only journal file in dir. */
function journalFile(dir: string): string {
  const names = readdirSync(dir).filter((n) => n.startsWith('journal-'));
  expect(names).toHaveLength(1);
  return join(dir, names[0] as string);
}

/** A MetaLog that records every op appended to the one it wraps. */
class Recording implements MetaLog {
  readonly ops: Json[] = [];
  constructor(private readonly inner: MetaLog) {}
  load(): Promise<LoadedLog> {
    return this.inner.load();
  }
  append(ops: Json[]): Promise<number> {
    this.ops.push(...ops);
    return this.inner.append(ops);
  }
  saveSnapshot(s: Snapshot): Promise<void> {
    return this.inner.saveSnapshot(s);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('Journal', () => {
  test('records appended in batches come back in order with consecutive seqs', async () => {
    const dir = freshDir();
    const j = new Journal(dir, quiet);
    expect(await j.load()).toEqual({ snapshot: null, records: [] });
    expect(await j.append([{ op: 'a' }, { op: 'b' }])).toBe(2);
    expect(await j.append([{ op: 'c' }])).toBe(3);
    await j.close();
    const k = new Journal(dir, quiet);
    const loaded = await k.load();
    expect(loaded.records).toEqual([
      { seq: 1, op: { op: 'a' } },
      { seq: 2, op: { op: 'b' } },
      { seq: 3, op: { op: 'c' } },
    ]);
    expect(await k.append([{ op: 'd' }])).toBe(4);
    await k.close();
  });

  test('a torn tail (crash in the middle of a write) is cut; every record before it is kept and appending goes on', async () => {
    const dir = freshDir();
    const j = new Journal(dir, quiet);
    await j.load();
    await j.append([{ op: 'one' }, { op: 'two' }]);
    await j.close();
    const file = journalFile(dir);
    const good = statSync(file).size;
    const next = encodeFrame({ seq: 3, op: { op: 'three', pad: 'x'.repeat(100) } });
    appendFileSync(file, next.subarray(0, next.length - 17)); // the write stopped part-way
    const logged: string[] = [];
    const k = new Journal(dir, { log: (m) => logged.push(m) });
    const loaded = await k.load();
    expect(loaded.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(logged.join('\n')).toMatch(/torn or corrupt tail/);
    expect(statSync(file).size).toBe(good);
    expect(await k.append([{ op: 'three' }])).toBe(3);
    await k.close();
    const again = await new Journal(dir, quiet).load();
    expect(again.records.map((r) => r.op)).toEqual([{ op: 'one' }, { op: 'two' }, { op: 'three' }]);
  });

  test('a last record with a bad checksum is cut, the ones before it are kept', async () => {
    const dir = freshDir();
    const j = new Journal(dir, quiet);
    await j.load();
    await j.append([{ op: 'one' }]);
    await j.append([{ op: 'two' }]);
    await j.close();
    const file = journalFile(dir);
    const buf = readFileSync(file);
    buf.writeUInt8(buf.readUInt8(buf.length - 3) ^ 0xff, buf.length - 3); // a flipped byte inside the last record's payload
    writeFileSync(file, buf);
    const loaded = await new Journal(dir, quiet).load();
    expect(loaded.records.map((r) => r.op)).toEqual([{ op: 'one' }]);
  });

  test('a directory held by another live process is refused', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    await expect(new Journal(dir, quiet).load()).rejects.toThrow(/in use by process/);
  });
});

describe('MetaStore on a journal', () => {
  /** A workload touching every kind of operation, including an unlinked file that stays open and is freed at release. */
  async function workload(store: MetaStore): Promise<void> {
    const ns = store.ns;
    for (let d = 0; d < 5; d++) {
      ns.mkdir(`/d${d}`, 0o755, 1000, 1000);
      for (let f = 0; f < 8; f++) {
        const a = ns.mknod(`/d${d}/f${f}`, 0o100644, 1000, 1000);
        ns.extend(a.ino, 4096 * (f + 1));
        store.chunks.set(a.ino, 0, ['n1', 'n2']);
        if (f % 3 === 0) ns.setxattr(`/d${d}/f${f}`, 'user.k', Buffer.from([d, f, 0xff]), 0);
      }
      await store.synced();
    }
    ns.symlink('/d0/f1', '/s', 0, 0);
    ns.link('/d1/f1', '/d2/hard');
    ns.rename('/d3', '/d4/moved');
    ns.rename('/d0/f2', '/d0/f3'); // replaces f3: freed
    ns.chmod('/d1/f4', 0o600);
    ns.chown('/d1/f4', 7, 8);
    ns.utimens('/d1/f5', 1000, 2000);
    const open = ns.getattr('/d2/f0').ino;
    ns.open(open);
    ns.unlink('/d2/f0'); // kept: open
    ns.setSize(open, 1);
    ns.release(open); // now freed
    store.chunks.drop(open);
    ns.unlink('/d2/f1');
    ns.removexattr('/d1/f0', 'user.k');
    ns.mkdir('/empty', 0o755, 0, 0);
    ns.rmdir('/empty');
  }

  test('snapshot + tail replay gives the same state as applying every record from the start', async () => {
    const dir = freshDir();
    const rec = new Recording(new Journal(dir, quiet));
    const store = new MetaStore({ rootMode: 0o1777, snapshotEvery: 7 });
    await store.open(rec);
    await workload(store);
    store.ns.mkdir('/last', 0o700, 0, 0);
    await store.synced();
    // No close: as after kill -9 (the lock names this process, which may take it again).
    expect(readdirSync(dir)).toContain('snapshot');
    expect(readdirSync(dir).filter((n) => n.startsWith('journal-')).length).toBeLessThanOrEqual(2); // covered files were dropped
    const replayed = new MetaStore({ rootMode: 0o1777 });
    const r = await replayed.open(new Journal(dir, quiet));
    expect(r.snapshotSeq).toBeGreaterThan(0);
    const fromScratch = new MetaState(0o1777);
    for (const op of rec.ops) fromScratch.apply(toOp(op));
    const a = replayed.state.exportImage();
    const b = fromScratch.exportImage();
    expect(a.ns).toEqual(b.ns);
    expect(a.chunks).toEqual(b.chunks);
    expect(a.ns).toEqual(store.state.exportImage().ns);
    expect(replayed.ns.getattr('/last').mode & 0o777).toBe(0o700);
    expect(replayed.ns.getxattr('/d0/f0', 'user.k')).toEqual(Buffer.from([0, 0, 0xff]));
    // Inode numbers and epochs go on above everything handed out before.
    expect(replayed.ns.mkdir('/after', 0o755, 0, 0).ino).toBeGreaterThan(store.ns.getattr('/last').ino);
    expect(replayed.state.epochFloor).toBeGreaterThan(store.state.epochFloor);
    await replayed.close();
  });
});
