/**
 * Small composable validators for untrusted frame metadata. A value of the wrong JSON type is a malformed frame
 * (ProtocolError: the link closes); a value of the right type that is out of range is the sender's mistake and
 * gets an errno (FsError: the link stays up), as Linux answers a bad argument.
 */
import { ErrnoName, FsError } from '../src/errors';
import { ProtocolError } from './frame';

/** Reads one value found at `at` (a field path, for messages), or throws ProtocolError / FsError. */
export type Check<T> = (v: unknown, at: string) => T;

/** The type a Check produces. */
export type Checked<C> = C extends Check<infer T> ? T : never;

function wrongType(at: string, what: string): ProtocolError {
  return new ProtocolError(`field "${at}" must be ${what}`);
}

/** An integer in min..max; a fractional number or one below min gets errno, one above max gets tooBig (default: errno, EINVAL unless told). */
export function int(min: number, max: number, errno: ErrnoName = 'EINVAL', tooBig: ErrnoName = errno): Check<number> {
  return (v, at) => {
    if (typeof v !== 'number') throw wrongType(at, 'a number');
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new FsError(Number.isInteger(v) && v > max ? tooBig : errno, `field "${at}" must be an integer in ${min}..${max}, not ${v}`);
    }
    return v;
  };
}

/** A non-negative integer up to max (default: the largest safe integer); above max gets tooBig. */
export function uint(max = Number.MAX_SAFE_INTEGER, errno: ErrnoName = 'EINVAL', tooBig: ErrnoName = errno): Check<number> {
  return int(0, max, errno, tooBig);
}

/** A string of at most maxBytes UTF-8 bytes (longer: errno, ENAMETOOLONG unless told). */
export function str(maxBytes: number, errno: ErrnoName = 'ENAMETOOLONG'): Check<string> {
  return (v, at) => {
    if (typeof v !== 'string') throw wrongType(at, 'a string');
    // A UTF-16 unit is at most 3 UTF-8 bytes: only count bytes when the string could be too long.
    if (v.length * 3 > maxBytes && Buffer.byteLength(v, 'utf8') > maxBytes) throw new FsError(errno, `field "${at}" is longer than ${maxBytes} bytes`);
    return v;
  };
}

/** Matches a char that is not one byte (above 0xff). */
const NOT_A_BYTE = /[\u0100-\uffff]/;

/**
 * A byte string (file names are bytes: one char per byte, 0..255, as latin1) of at most maxBytes bytes (longer: errno,
 * ENAMETOOLONG unless told); a char above 0xff is not a byte, so EINVAL.
 */
export function bytes(maxBytes: number, errno: ErrnoName = 'ENAMETOOLONG'): Check<string> {
  return (v, at) => {
    if (typeof v !== 'string') throw wrongType(at, 'a string');
    if (v.length > maxBytes) throw new FsError(errno, `field "${at}" is longer than ${maxBytes} bytes`);
    if (NOT_A_BYTE.test(v)) throw new FsError('EINVAL', `field "${at}" has a char above 0xff (not a byte string)`);
    return v;
  };
}

/** One of a fixed set of strings (anything else: EINVAL). */
export function oneOf<T extends string>(...values: T[]): Check<T> {
  return (v, at) => {
    if (typeof v !== 'string') throw wrongType(at, 'a string');
    if (!(values as string[]).includes(v)) throw new FsError('EINVAL', `field "${at}" must be one of ${values.join(', ')}`);
    return v as T;
  };
}

/** A boolean. */
export const bool: Check<boolean> = (v, at) => {
  if (typeof v !== 'boolean') throw wrongType(at, 'a boolean');
  return v;
};

/** An optional value: absent (or null) gives undefined. */
export function opt<T>(check: Check<T>): Check<T | undefined> {
  return (v, at) => (v === undefined || v === null ? undefined : check(v, at));
}

/** A value that may also be null (kept as null: "remove"), or absent (undefined: "keep"). */
export function nullable<T>(check: Check<T>): Check<T | null | undefined> {
  return (v, at) => (v === undefined ? undefined : v === null ? null : check(v, at));
}

/** A value or null (absent also reads as null). */
export function nullOr<T>(check: Check<T>): Check<T | null> {
  return (v, at) => (v === undefined || v === null ? null : check(v, at));
}

/** A check whose field a sender may leave out (it has a default). */
export type Defaulted<T> = Check<T> & { readonly hasDefault: true };

/** An optional value with a default when absent. */
export function def<T>(check: Check<T>, fallback: T): Defaulted<T> {
  return Object.assign((v: unknown, at: string) => (v === undefined || v === null ? fallback : check(v, at)), { hasDefault: true as const });
}

/** A list of at most maxCount items, each checked (more items: errno, E2BIG unless told). */
export function list<T>(item: Check<T>, maxCount: number, errno: ErrnoName = 'E2BIG'): Check<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) throw wrongType(at, 'a list');
    if (v.length > maxCount) throw new FsError(errno, `field "${at}" has ${v.length} items, at most ${maxCount} allowed`);
    return v.map((x, i) => item(x, `${at}[${i}]`));
  };
}

/** A fixed-length list whose items are checked in order. */
export function tuple<A, B>(a: Check<A>, b: Check<B>): Check<[A, B]> {
  return (v, at) => {
    if (!Array.isArray(v) || v.length !== 2) throw wrongType(at, 'a pair');
    return [a(v[0], `${at}[0]`), b(v[1], `${at}[1]`)];
  };
}

type Shape = Record<string, Check<unknown>>;
type Flat<T> = { [K in keyof T]: T[K] };
/** True for a field a sender may leave out: its check accepts undefined or has a default. */
type MayOmit<C> = C extends { hasDefault: true } ? true : undefined extends Checked<C> ? true : false;
/** The object a shape of checks produces: fields whose check may give undefined are optional. */
export type ObjOf<S extends Shape> = Flat<
  { [K in keyof S as undefined extends Checked<S[K]> ? never : K]: Checked<S[K]> } & { [K in keyof S as undefined extends Checked<S[K]> ? K : never]?: Checked<S[K]> }
>;
/** The object a sender writes for a shape: fields with defaults may be left out too. */
export type InOf<S extends Shape> = Flat<{ [K in keyof S as MayOmit<S[K]> extends true ? never : K]: Checked<S[K]> } & { [K in keyof S as MayOmit<S[K]> extends true ? K : never]?: Checked<S[K]> }>;

/** An object check that also names (as a phantom type) what a sender may write. */
export type ObjCheck<O, I> = Check<O> & { readonly input?: I };

/** A JSON object with the given fields; unknown fields are dropped, absent optional fields left out. */
export function obj<S extends Shape>(shape: S): ObjCheck<ObjOf<S>, InOf<S>> {
  const keys = Object.keys(shape);
  return (v, at) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw wrongType(at, 'an object');
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const x = (shape[k] as Check<unknown>)(src[k], at ? `${at}.${k}` : k);
      if (x !== undefined) out[k] = x;
    }
    return out as ObjOf<S>;
  };
}

/** The empty object (any fields dropped). */
export const empty = obj({});

/** Checks a whole frame's metadata against a message's object check (the field path starts empty). */
export function checkMeta<T>(check: Check<T>, meta: unknown): T {
  return check(meta, '');
}
