/**
 * The transport's ceiling: a plain `ws` server in its own process and a plain
 * client here, with the payload sizes the PoolClient benchmark uses
 * (binary frames, perMessageDeflate off, bufferutil masking when installed).
 */
import { resolve } from 'path';
import WebSocket from 'ws';
import { spawnReady, stopChild } from './cluster';
import { onCleanup } from './cleanup';
import { mbps } from './report';
import { forDuration, lanes, timed } from './util';

const MiB = 1024 * 1024;
/** Reply size for "write" messages: a small ack, like a ChunkWrite reply. */
const ACK = 24;

/** Raw ws figures, each the ceiling for one PoolClient measurement. */
export interface RawWsFigures {
  /** 1 MiB client→server with a small ack, MB/s: one at a time, and 8 in flight. */
  write1: number;
  write8: number;
  /** Small request, 1 MiB server→client reply, MB/s: one at a time, and 8 in flight. */
  read1: number;
  read8: number;
  /** Small request, 4 KiB reply: round trips per second at QD1 and QD16. */
  rtt4k1: number;
  rtt4k16: number;
  /** 64 B request, 64 B reply: round trips per second at QD1 and QD16 (the ceiling for metadata calls). */
  rttSmall1: number;
  rttSmall16: number;
}

/** A client that matches replies to requests in order (the server answers in order). */
class RawClient {
  private readonly waiting: Array<(b: Buffer) => void> = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (msg: Buffer) => this.waiting.shift()?.(msg));
  }

  /** Connects to the raw server. */
  static async connect(url: string): Promise<RawClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 80 * MiB });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    return new RawClient(ws);
  }

  /** Sends payload (whose first 4 bytes are overwritten with replyLen) and resolves with the reply. */
  call(payload: Buffer, replyLen: number): Promise<Buffer> {
    payload.writeUInt32LE(replyLen, 0);
    return new Promise((res) => {
      this.waiting.push(res);
      this.ws.send(payload, { binary: true });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Measures the raw ws figures against a server process started for the purpose, then stops it. */
export async function measureRawWs(opts: { bulkBytes: number; seconds: number }): Promise<RawWsFigures> {
  const { child, match } = await spawnReady(resolve(__dirname, 'ws-server.js'), [], /listening on (\d+)/);
  const unregister = onCleanup(() => stopChild(child));
  try {
    const client = await RawClient.connect(`ws://127.0.0.1:${match[1]}`);
    const big = Array.from({ length: 8 }, () => Buffer.alloc(MiB, 0xa5));
    const small = Array.from({ length: 16 }, () => Buffer.alloc(64, 0x11));
    // lane and request numbers wrap around the fixed, non-empty buffer sets
    const bigBuf = (i: number) => big[i % big.length]!;
    const smallBuf = (i: number) => small[i % small.length]!;
    const count = Math.max(8, Math.floor(opts.bulkBytes / 2 / MiB));
    // Every figure is the median of 3 trials: the machine is shared, and one stall should not set the ceiling.
    const median3 = async (trial: () => Promise<number>) => {
      const got = [await trial(), await trial(), await trial()].sort((a, b) => a - b);
      return got[1]!; // the middle of the three trials just above
    };
    // Replies come back in order; ws copies (masks) a payload synchronously in send(), so lanes may share buffers.
    const bulk = (width: number, send: (lane: number) => Promise<unknown>) =>
      median3(async () => mbps(count * MiB, await timed(() => lanes(count, width, (i) => send(i % width).then(() => undefined)))));
    const rate = (width: number, replyLen: number) =>
      median3(async () => {
        const r = await forDuration(opts.seconds / 2, width, (i) => client.call(smallBuf(i), replyLen).then(() => undefined));
        return r.ops / r.seconds;
      });
    await bulk(8, (l) => client.call(bigBuf(l), ACK)); // warm-up
    await rate(4, 64);
    const f: RawWsFigures = {
      write1: await bulk(1, (l) => client.call(bigBuf(l), ACK)),
      write8: await bulk(8, (l) => client.call(bigBuf(l), ACK)),
      read1: await bulk(1, (l) => client.call(smallBuf(l), MiB)),
      read8: await bulk(8, (l) => client.call(smallBuf(l), MiB)),
      rtt4k1: await rate(1, 4096),
      rtt4k16: await rate(16, 4096),
      rttSmall1: await rate(1, 64),
      rttSmall16: await rate(16, 64),
    };
    client.close();
    return f;
  } finally {
    unregister();
    await stopChild(child);
  }
}
