/**
 * Large whole-page writes on their way to the memory nodes in the background, per file: a sequential writer's next
 * write proceeds while earlier ones are on the wire (at most a few per file), and nothing that waits for a file's
 * writes to land (write-back, fsync, close, recall, truncate) or that writes the same bytes again passes them.
 */

/** One write in flight: its byte range and the promise that settles once it landed or failed. */
interface InFlight {
  pos: number;
  end: number;
  done: Promise<void>;
}

/** Background writes of many files. */
export class StreamedWrites {
  private readonly files = new Map<number, InFlight[]>();
  private inFlightBytes = 0;

  /** @param depth most writes in flight per file; a writer beyond it waits for the oldest. */
  constructor(private readonly depth: number) {}

  /** Bytes of every file on their way. */
  get bytes(): number {
    return this.inFlightBytes;
  }

  /** True while some write of the file is in flight. */
  busy(ino: number): boolean {
    return this.files.has(ino);
  }

  /** Waits until a write of [pos, end) may start: every overlapping write has settled and the file is below its depth. */
  async room(ino: number, pos: number, end: number): Promise<void> {
    for (;;) {
      const list = this.files.get(ino);
      if (!list) return;
      const blocking = list.find((w) => w.pos < end && pos < w.end) ?? (list.length >= this.depth ? list[0] : undefined);
      if (!blocking) return;
      await blocking.done;
    }
  }

  /** Tracks a write of [pos, end) that `send` starts now; its outcome is for `settle` to handle (the promise never rejects). */
  start(ino: number, pos: number, end: number, send: () => Promise<void>): void {
    let list = this.files.get(ino);
    if (!list) this.files.set(ino, (list = []));
    const w: InFlight = { pos, end, done: Promise.resolve() };
    this.inFlightBytes += end - pos;
    w.done = send()
      .catch(() => undefined)
      .finally(() => {
        this.inFlightBytes -= end - pos;
        const now = this.files.get(ino);
        const i = now?.indexOf(w) ?? -1;
        if (now && i >= 0) now.splice(i, 1);
        if (now?.length === 0) this.files.delete(ino);
      });
    list.push(w);
  }

  /** Resolves once every write of the file that is in flight now (and any started meanwhile) has settled. */
  async settled(ino: number): Promise<void> {
    for (let list = this.files.get(ino); list; list = this.files.get(ino)) await Promise.all(list.map((w) => w.done));
  }
}
