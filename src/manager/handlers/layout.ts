/** Data layout calls: where a file's chunks live (and placing new ones). */
import { Handlers } from '../../../transport';
import type { Manager } from '../manager';

/** Handlers for Locate, ReplicaDown (clients) and Drain (operators). */
export function layoutHandlers(m: Manager): Handlers {
  return {
    Locate: async ({ ino, first, count, write, epoch }, ctx) => {
      m.mayUseData(ctx, ino, write);
      m.checkEpoch(ino, epoch, m.clientOf(ctx.remote));
      await m.nodesReturned(); // not EIO, nor a new placement, for a memory node about to register again after a restart or takeover
      if (write) await m.replaceDown(ino, first, count); // a write never skips a replica that is down: it is replaced first
      await m.replicas.settled(ino, first, count); // never the replicas of a chunk half-way through a change
      const located = m.locate(ino, first, count, write);
      // the capability: read for anyone who may read the file, write only for the holder of its WRITE lease
      return { ...located, ...m.capFor(ino, first, count, located.gen, m.clientOf(ctx.remote), write) };
    },
    ReplicaDown: async ({ ino, index, node, ver, epoch }, ctx) => {
      m.mayUseData(ctx, ino, false);
      m.checkEpoch(ino, epoch, m.clientOf(ctx.remote));
      return m.replicaDown(ino, index, node, ver);
    },
    Drain: ({ node }) => ({ chunks: m.drain(node) }),
  };
}
