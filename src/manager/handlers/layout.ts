/** Data layout calls: where a file's chunks live (and placing new ones). */
import { Handlers } from '../../../transport';
import type { Manager } from '../manager';

/** Handler for Locate. */
export function layoutHandlers(m: Manager): Handlers {
  return {
    Locate: async ({ ino, first, count, write, epoch }) => {
      m.checkEpoch(ino, epoch);
      await m.nodesReturned(); // not EIO, nor a new placement, for a memory node about to register again after a restart or takeover
      return m.locate(ino, first, count, write);
    },
  };
}
