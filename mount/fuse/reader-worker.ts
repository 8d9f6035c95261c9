/**
 * A worker thread that reads requests from /dev/fuse with blocking reads (off
 * the event loop) and hands each one to the main thread as a transferred
 * ArrayBuffer. Ends, telling why, when the device is gone (unmounted).
 */
import { readSync } from 'fs';
import { parentPort, workerData } from 'worker_threads';

const { fd, bufSize } = workerData as { fd: number; bufSize: number };
const buf = Buffer.allocUnsafe(bufSize);
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
  const out = new ArrayBuffer(n);
  new Uint8Array(out).set(buf.subarray(0, n));
  port?.postMessage(out, [out]);
}
