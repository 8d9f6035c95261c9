/** Returns value, or throws naming what was missing: for an indexed value a test relies on (a regex group, a list entry, a keyed result). */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}
