/**
 * A worker thread that reads requests from /dev/fuse with blocking reads (off
 * the event loop) and hands each one to the main thread as a transferred
 * buffer: a large one (a WRITE's data) is the read buffer itself, replaced by
 * a new one, a small one a copy. Ends, telling why, when the device is gone
 * (unmounted).
 */
import { readSync } from 'fs';
import { parentPort, workerData } from 'worker_threads';

const { fd, bufSize } = workerData as { fd: number; bufSize: number };
/** Requests from this size on are handed over in the buffer they were read into (no copy). */
const HAND_OVER_MIN = 64 * 1024;
let buf = Buffer.allocUnsafeSlow(bufSize);
const port = parentPort;

for (;;) {
  let n: number;
  try {
    n = readSync(fd, buf, 0, bufSize, null);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    // ENOENT: the request was interrupted before we read it; EINTR/EAGAIN: try again.
    if (code === 'ENOENT' || code === 'EINTR' || code === 'EAGAIN') continue;
    port?.postMessage({ end: code });
    break;
  }
  if (n === 0) {
    port?.postMessage({ end: 'EOF' });
    break;
  }
  if (n >= HAND_OVER_MIN) {
    const whole = buf.buffer;
    port?.postMessage(new Uint8Array(whole, buf.byteOffset, n), [whole]);
    buf = Buffer.allocUnsafeSlow(bufSize);
    continue;
  }
  const out = new ArrayBuffer(n);
  new Uint8Array(out).set(buf.subarray(0, n));
  port?.postMessage(out, [out]);
}
