/** Human-readable byte sizes for CLI flags and status output. */

const UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

const SIZE_RE = /^(\d+(?:\.\d*)?|\.\d+)\s*(?:([kmgt])(?:i?b)?|b)?$/i;

/** Builds the one-line error message every parse failure uses, so users see what is accepted. */
function invalid(text: string, why?: string): Error {
  const reason = why ? ` (${why})` : '';
  return new Error(`invalid size "${text}"${reason}: expected a number with an optional unit K, M, G, T (binary), e.g. 512MiB`);
}

/**
 * Parses a human size such as "4096", "512K", "512KiB", "4M", "1.5G" or "1TiB" into bytes, for CLI flags.
 * Case-insensitive; the "B"/"iB" suffix is optional. Like tmpfs's size= option, K/M/G/T are binary
 * (1024-based) whether written "K", "KB" or "KiB". Fractional results are rounded down, but a fraction
 * of a plain byte count (or a non-zero size that rounds to 0 bytes) is rejected. Throws a plain Error.
 */
export function parseSize(text: string): number {
  const trimmed = text.trim();
  const m = SIZE_RE.exec(trimmed);
  if (!m) throw invalid(text);
  const value = Number(m[1]);
  const mult = UNITS[(m[2] ?? '').toLowerCase()];
  if (!Number.isFinite(value) || mult === undefined) throw invalid(text);
  const exact = value * mult;
  if (mult === 1 && !Number.isInteger(exact)) throw invalid(text, 'not a whole number of bytes');
  const bytes = Math.floor(exact);
  if (bytes === 0 && exact > 0) throw invalid(text, 'less than one byte');
  if (!Number.isSafeInteger(bytes)) throw invalid(text, 'too large');
  return bytes;
}

const FORMAT_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Formats bytes as "0 B", "512 MiB" or "1.5 GiB" (binary units, up to 2 decimals) for status output. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < FORMAT_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  let rounded = Number(v.toFixed(u === 0 ? 0 : 2));
  if (rounded >= 1024 && u < FORMAT_UNITS.length - 1) {
    rounded = Number((rounded / 1024).toFixed(2));
    u++;
  }
  return `${sign}${rounded} ${FORMAT_UNITS[u]}`;
}
