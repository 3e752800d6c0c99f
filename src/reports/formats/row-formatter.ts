import type { ReportColumn, ReportDefinition, ReportValue } from '../report.js';

/**
 * Turns a report's rows into text, one row at a time, so any number of rows streams through in
 * constant memory. Each method returns the text to write next (possibly empty).
 */
export interface RowFormatter {
  /** Text before the first row: a CSV header, the `[` of a JSON array, a table's caption. */
  start(): string;
  /** Text for one row, values in column order. */
  row(values: readonly ReportValue[]): string;
  /** Text after the last row; `rows` is how many there were. */
  end(rows: number): string;
}

/**
 * Builds a formatter for a report's columns; `caption` is shown above a table (and an HTML page) only;
 * `report` gives HTML its title and chart.
 */
export type RowFormatterFactory = (
  columns: readonly ReportColumn[],
  caption: string | undefined,
  report?: ReportDefinition,
) => RowFormatter;
