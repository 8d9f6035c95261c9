/** The bytes the heal workload's crashing writer writes: a pattern any reader can rebuild. */
export function pattern(mib: number): Buffer {
  const b = Buffer.alloc(mib * 1024 * 1024);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  return b;
}
