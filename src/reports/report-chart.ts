import type { ReportColumn } from './report.js';

/**
 * How a report is drawn (the dashboard, `--format html`): declared beside the report, in a line.
 * Times are `*_ts_ms` numbers (epoch milliseconds) or ISO text (`2025-01-06`, `...T10:00:00.000000Z`);
 * the page shows them in the viewer's time zone.
 */
export type ReportChart =
  /** One bar per row (top-N): `label` columns (default: every text column) joined, one bar group of `values`. */
  | { kind: 'bars'; values: readonly string[]; label?: readonly string[] }
  /** Values over time: a line per `values` column, `time` on the x axis. */
  | { kind: 'series'; time: string; values: readonly string[] }
  /** Spans on lanes: one lane per `lane` value, a mark from `from` to `to` (times) per row. */
  | { kind: 'timeline'; lane: string; from: string; to: string }
  /** Not drawn: the rows are raw records (an export); the dashboard offers the download only. */
  | { kind: 'none' };

/** The chart a report declares, else bars of its first numeric column labelled by its text columns. */
export function chartOf(chart: ReportChart | undefined, columns: readonly ReportColumn[]): ReportChart {
  if (chart !== undefined) return chart;
  const numeric = columns.find((c) => c.kind !== 'text');
  if (numeric === undefined) return { kind: 'none' };
  const labels = columns.filter((c) => c.kind === 'text').map((c) => c.name);
  return { kind: 'bars', values: [numeric.name], label: labels.length > 0 ? labels : [columns[0]?.name ?? numeric.name] };
}
