/** Errno assertions for unit tests. */
import { FsError } from '../../src/errors';

/** Runs fn and returns the FsError code it threw (fails the test if it threw nothing or something else). */
export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FsError) return e.code;
    throw e;
  }
  throw new Error('expected an FsError');
}
