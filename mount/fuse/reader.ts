/**
 * Reading requests from /dev/fuse without ever blocking the event loop. Two
 * ways, both measured (see README, "The FUSE layer"): worker threads doing
 * blocking reads and transferring each request ('worker', the default), or
 * reads on libuv's threadpool ('threadpool'; needs UV_THREADPOOL_SIZE above
 * the number of outstanding reads, set before the pool starts, else every
 * other fs call of the process waits behind reads that never return).
 */
import { read } from 'fs';
import { join } from 'path';
import { Worker } from 'worker_threads';

export type ReaderKind = 'worker' | 'threadpool';

/** A running reader: calls onRequest with each request (a buffer it may keep), onEnd once when the device is gone. */
export interface Reader {
  stop(): void;
}

export interface ReaderOptions {
  fd: number;
  bufSize: number;
  /** Worker threads, or outstanding threadpool reads. */
  parallel: number;
  onRequest(req: Buffer): void;
  onEnd(why: string): void;
}

/** Starts reading with the chosen strategy. */
export function startReader(kind: ReaderKind, opts: ReaderOptions): Reader {
  return kind === 'threadpool' ? threadpoolReader(opts) : workerReader(opts);
}

function workerReader(opts: ReaderOptions): Reader {
  const workers: Worker[] = [];
  let live = opts.parallel;
  let ended = false;
  const end = (why: string) => {
    if (--live > 0 && why !== 'stopped') return;
    if (!ended) {
      ended = true;
      opts.onEnd(why);
    }
  };
  for (let i = 0; i < opts.parallel; i++) {
    const w = new Worker(join(__dirname, 'reader-worker.js'), { workerData: { fd: opts.fd, bufSize: opts.bufSize } });
    w.on('message', (m: ArrayBuffer | Uint8Array | { end: string }) => {
      if (m instanceof ArrayBuffer) opts.onRequest(Buffer.from(m));
      else if (m instanceof Uint8Array) opts.onRequest(Buffer.from(m.buffer, m.byteOffset, m.length));
      else end(m.end);
    });
    w.on('error', (err) => end(`worker failed: ${err.message}`));
    workers.push(w);
  }
  return {
    stop() {
      // A worker blocked in read(2) ends when the device goes (ENODEV); terminate() covers the rest.
      for (const w of workers) void w.terminate();
    },
  };
}

function threadpoolReader(opts: ReaderOptions): Reader {
  let stopped = false;
  let live = opts.parallel;
  const loop = () => {
    const buf = Buffer.allocUnsafe(opts.bufSize);
    const next = () =>
      read(opts.fd, buf, 0, opts.bufSize, null, (err, n) => {
        if (stopped) return;
        if (err) {
          if (err.code === 'ENOENT' || err.code === 'EINTR' || err.code === 'EAGAIN') return next();
          if (--live === 0) opts.onEnd(err.code ?? 'EIO');
          return;
        }
        opts.onRequest(Buffer.from(buf.subarray(0, n)));
        next();
      });
    next();
  };
  for (let i = 0; i < opts.parallel; i++) loop();
  return {
    stop() {
      stopped = true;
    },
  };
}
