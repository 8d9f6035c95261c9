/**
 * The one queue through which kernel-cache notifications (INVAL_INODE,
 * INVAL_ENTRY, DELETE) reach /dev/fuse. A notification can block in the
 * kernel until a request of ours is answered (a directory lock held by a
 * LOOKUP we serve, pages locked by a READ in flight), so it is written off
 * the event loop (libuv's threadpool) and never awaited inside a request
 * handler: callers queue and, if they must (a lease recall), await the
 * returned promise outside any handler. One write at a time, in order.
 */
import { write } from 'fs';
import { Notify, OUT_HEADER_SIZE, put64, putOutHeader } from './abi';

export class NotifyQueue {
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly log: (msg: string) => void,
  ) {}

  /** Drops the kernel's cached pages of ino from off for len bytes (len 0: to the end) and its attributes; off -1: attributes only. */
  invalidateInode(ino: number, off = 0, len = 0): Promise<void> {
    const b = Buffer.alloc(OUT_HEADER_SIZE + 24);
    putOutHeader(b, b.length, Notify.INVAL_INODE, 0);
    put64(b, 16, ino);
    put64(b, 24, off);
    put64(b, 32, len);
    return this.push(b, `inval_inode ${ino}`);
  }

  /** Drops the kernel's cached name `name` in directory parent (positive or negative entry). */
  invalidateEntry(parent: number, name: Buffer): Promise<void> {
    const b = Buffer.alloc(OUT_HEADER_SIZE + 16 + name.length + 1);
    putOutHeader(b, b.length, Notify.INVAL_ENTRY, 0);
    put64(b, 16, parent);
    b.writeUInt32LE(name.length, 24);
    b.writeUInt32LE(0, 28);
    name.copy(b, 32);
    return this.push(b, `inval_entry ${parent}/${name.toString('latin1')}`);
  }

  /** Tells the kernel that name in parent, which was child, is gone (it also drops open-file caches of the entry). */
  delete(parent: number, child: number, name: Buffer): Promise<void> {
    const b = Buffer.alloc(OUT_HEADER_SIZE + 24 + name.length + 1);
    putOutHeader(b, b.length, Notify.DELETE, 0);
    put64(b, 16, parent);
    put64(b, 24, child);
    b.writeUInt32LE(name.length, 32);
    b.writeUInt32LE(0, 36);
    name.copy(b, 40);
    return this.push(b, `delete ${parent}/${name.toString('latin1')}`);
  }

  /** Resolves once every notification queued so far is written (a recall answered after invalidations queued earlier, not awaited then). */
  drained(): Promise<void> {
    return this.tail;
  }

  /** Stops sending (the device is gone); queued notifications resolve without effect. */
  close(): void {
    this.closed = true;
  }

  private push(b: Buffer, what: string): Promise<void> {
    const p = this.tail.then(
      () =>
        new Promise<void>((res) => {
          if (this.closed) return res();
          write(this.fd, b, 0, b.length, null, (err) => {
            // ENOENT: the kernel does not know that node or name (nothing cached): done as well.
            if (err && err.code !== 'ENOENT' && err.code !== 'ENODEV' && err.code !== 'EBADF') this.log(`mempool: notify ${what}: ${err.message}`);
            res();
          });
        }),
    );
    this.tail = p;
    return p;
  }
}
