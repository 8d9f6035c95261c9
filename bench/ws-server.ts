/**
 * A plain `ws` server for the raw transport baseline, run as its own process:
 * every binary message starts with a u32 LE reply length, and the server
 * answers each message, in order, with a binary message of that many bytes.
 * Prints "raw ws server listening on PORT".
 */
import { WebSocketServer } from 'ws';

const replies = new Map<number, Buffer>();

/** A reusable reply of n bytes (contents do not matter to the benchmark). */
function reply(n: number): Buffer {
  let b = replies.get(n);
  if (!b) replies.set(n, (b = Buffer.alloc(n, 0x5a)));
  return b;
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 80 * 1024 * 1024 });
wss.on('listening', () => {
  const addr = wss.address();
  console.log(`raw ws server listening on ${typeof addr === 'string' ? addr : addr?.port}`);
});
wss.on('connection', (ws) => {
  ws.on('message', (msg: Buffer) => {
    const n = msg.length >= 4 ? Math.min(msg.readUInt32LE(0), 64 * 1024 * 1024) : 0;
    ws.send(reply(n), { binary: true });
  });
  ws.on('error', () => undefined);
});
const stop = () => {
  for (const c of wss.clients) c.terminate();
  wss.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
