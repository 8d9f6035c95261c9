/** Typed readers for untrusted frame metadata: each throws ProtocolError when a field is missing or out of range. */
import { Meta, ProtocolError } from './frame';

/** A non-negative safe integer field (offsets, sizes, inode numbers). */
export function uint(meta: Meta, key: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = meta[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new ProtocolError(`field "${key}" must be an integer in 0..${max}`);
  }
  return v;
}

/** Any safe integer field (timestamps may be negative; uid -1 means "unchanged"). */
export function int(meta: Meta, key: string): number {
  const v = meta[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ProtocolError(`field "${key}" must be an integer`);
  return v;
}

/** A string field of bounded length. */
export function str(meta: Meta, key: string, maxLen = 65536): string {
  const v = meta[key];
  if (typeof v !== 'string' || v.length > maxLen) throw new ProtocolError(`field "${key}" must be a string of at most ${maxLen} characters`);
  return v;
}

/** An optional field: undefined when absent, otherwise read with the given reader. */
export function opt<T>(meta: Meta, key: string, read: (m: Meta, k: string) => T): T | undefined {
  return meta[key] === undefined ? undefined : read(meta, key);
}

/** A boolean field (absent means false). */
export function bool(meta: Meta, key: string): boolean {
  const v = meta[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ProtocolError(`field "${key}" must be a boolean`);
  return v;
}

/** An array of strings, bounded in count and length. */
export function strList(meta: Meta, key: string, maxCount = 1 << 20, maxLen = 4096): string[] {
  const v = meta[key];
  if (!Array.isArray(v) || v.length > maxCount || !v.every((s) => typeof s === 'string' && s.length <= maxLen)) {
    throw new ProtocolError(`field "${key}" must be a list of strings`);
  }
  return v as string[];
}
