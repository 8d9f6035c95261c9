/** Data layout calls: where a file's chunks live (and placing new ones). */
import { Handlers } from '../../../transport';
import type { Manager } from '../manager';

/** Handler for Locate. */
export function layoutHandlers(m: Manager): Handlers {
  return {
    Locate: ({ ino, first, count, write, epoch }) => {
      m.checkEpoch(ino, epoch);
      return m.locate(ino, first, count, write);
    },
  };
}
