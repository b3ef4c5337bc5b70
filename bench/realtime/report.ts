/**
 * The printed tables: one row per figure, one column per system, then our figure divided by each
 * peer's. Tables are Markdown, so a run's output can go into BENCHMARKS.md as it is.
 */

/** `ours ÷ peer` as `12.3×`; a dash when either side is missing or the peer is 0. */
export function ratio(ours: number | null | undefined, peer: number | null | undefined): string {
  if (
    ours == null ||
    peer == null ||
    !Number.isFinite(ours) ||
    !Number.isFinite(peer) ||
    peer === 0
  ) {
    return '—';
  }
  const r = ours / peer;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** A number with a sensible number of digits for a table; a dash when it is missing. */
export function figure(value: number | null | undefined, digits = 0): string {
  if (value == null || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A Markdown table with padded columns: the first left-aligned, the others right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...rows.map((r) => line(header.map((_, i) => r[i] ?? '')))].join(
    '\n',
  );
}

/** `a 3, b 1` for per-reason counters; `none` when empty. */
export function counts(values: Record<string, number>): string {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ×${n}`).join(', ');
}
