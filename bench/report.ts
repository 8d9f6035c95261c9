/** Table printing for benchmark results: one row per measurement, with an optional ratio to a reference. */

/** One measured figure. */
export interface Row {
  name: string;
  value: number;
  unit: string;
  /** value / reference value (e.g. PoolClient / raw ws), printed as a percentage. */
  ratio?: number;
  /** What the ratio is relative to. */
  vs?: string;
}

/** Formats a figure with sensible precision (3 significant digits, thousands separators). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Prints rows as an aligned text table under a title, so results read the same in a terminal and a log. */
export function printTable(title: string, rows: Row[]): void {
  const head = ['benchmark', 'value', 'unit', 'ratio', 'vs'];
  const cells = rows.map((r) => [r.name, formatValue(r.value), r.unit, r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`, r.vs ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((s, i) => (i === 1 || i === 3 ? s.padStart(widths[i] ?? 0) : s.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

/** Megabytes (10^6 bytes) per second, the unit every throughput row uses. */
export function mbps(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}
