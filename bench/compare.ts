/** A comparison table: one row per workload, one column per file system, mempool's ratio to the references, and a target marker. */
import { formatValue } from './report';

/** One workload measured on several file systems (higher is better). */
export interface CompareRow {
  name: string;
  unit: string;
  /** Figure per file system name. */
  values: Record<string, number | undefined>;
  /** Minimum mempool / ceiling ratio this row is held to, if any. */
  target?: number;
}

/** Prints rows with a column per file system, `subject`/reference ratios, and PASS/BELOW against each row's target (on the last reference). */
export function printCompare(title: string, subject: string, refs: string[], rows: CompareRow[]): void {
  const systems = [subject, ...refs];
  const pct = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? '-' : `${((a / b) * 100).toFixed(0)}%`);
  const targetRef = refs[refs.length - 1];
  const head = ['workload', 'unit', ...systems, ...refs.map((r) => `/${r}`), 'target'];
  const cells = rows.map((r) => {
    const s = r.values[subject];
    const t = targetRef === undefined ? undefined : r.values[targetRef];
    let mark = '';
    if (r.target !== undefined && s !== undefined && t !== undefined) mark = `${s / t >= r.target ? 'PASS' : 'BELOW'} (≥${(r.target * 100).toFixed(0)}%)`;
    return [r.name, r.unit, ...systems.map((n) => (r.values[n] === undefined ? '-' : formatValue(r.values[n]!))), ...refs.map((n) => pct(s, r.values[n])), mark];
  });
  printGrid(title, head, cells, (i) => i >= 2 && i < head.length - 1);
}

/** Prints an aligned text table: a header row and string cells; `numeric(i)` columns are right-aligned. */
export function printGrid(title: string, head: string[], cells: string[][], numeric: (i: number) => boolean = () => false): void {
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (numeric(i) ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}
