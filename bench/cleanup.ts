/** Process cleanup for benchmarks: everything a suite starts registers here, and run.ts stops it all at the end or on a signal. */

const tasks = new Set<() => Promise<void> | void>();

/** Registers a cleanup step; returns a function that unregisters it (after a normal stop). */
export function onCleanup(fn: () => Promise<void> | void): () => void {
  tasks.add(fn);
  return () => tasks.delete(fn);
}

/** Runs every registered cleanup step once (errors are ignored: the goal is to leave nothing running). */
export async function runCleanup(): Promise<void> {
  const all = [...tasks];
  tasks.clear();
  await Promise.all(
    all.map(async (fn) => {
      try {
        await fn();
      } catch {
        // best effort
      }
    }),
  );
}
