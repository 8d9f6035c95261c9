/** Capacity and status calls (clients and operators), and the heartbeats of memory nodes. */
import { Handlers } from '../../../transport';
import type { Manager } from '../manager';

/** Handlers for statfs and the paged status. */
export function statusHandlers(m: Manager): Handlers {
  return {
    Statfs: async () => {
      await m.refreshUsage();
      return m.statfs();
    },
    Status: ({ clientsFrom, clientsLimit }) => m.status(clientsFrom, clientsLimit),
  };
}

/** Handlers for what a memory node sends on its link: usage heartbeats. */
export function nodeHandlers(m: Manager, nodeId: string): Handlers {
  return {
    NodeHeartbeat: ({ used, allocated, chunks }) => {
      m.members.report(nodeId, { used, allocated, chunks });
      return { now: Date.now() }; // the node learns this clock's offset to check capability expiry
    },
  };
}
