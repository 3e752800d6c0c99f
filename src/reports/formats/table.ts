import { tableCell } from '../format-value.js';
import type { ReportColumn, ReportValue } from '../report.js';
import type { RowFormatter } from './row-formatter.js';

/** Rows read before the column widths are fixed; later rows that are wider just push their line. */
export const TABLE_WIDTH_SAMPLE = 1000;

/**
 * An aligned table for people: text left, numbers right, durations as `1h02m05s`. Widths come from
 * the first rows, so a table of any length still streams in constant memory.
 */
export function tableFormatter(columns: readonly ReportColumn[], caption: string | undefined): RowFormatter {
  const right = columns.map((c) => c.kind !== 'text');
  let pending: string[][] | undefined = [];
  let widths: number[] = columns.map((c) => c.name.length);

  const line = (cells: readonly string[]) =>
    `${cells
      .map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}\n`;

  const flush = (): string => {
    const rows = pending ?? [];
    pending = undefined;
    for (const cells of rows) widths = widths.map((w, i) => Math.max(w, cells[i]?.length ?? 0));
    let text = line(columns.map((c) => c.name)) + line(widths.map((w) => '-'.repeat(w)));
    for (const cells of rows) text += line(cells);
    return text;
  };

  return {
    start: () => (caption ? `${caption}\n` : ''),
    row(values: readonly ReportValue[]) {
      const cells = columns.map((c, i) => tableCell(c, values[i] ?? null));
      if (pending === undefined) return line(cells);
      pending.push(cells);
      return pending.length >= TABLE_WIDTH_SAMPLE ? flush() : '';
    },
    end: (rows) => (rows === 0 ? '(no rows)\n' : pending !== undefined ? flush() : ''),
  };
}
