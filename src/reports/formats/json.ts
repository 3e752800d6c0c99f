import type { ReportColumn, ReportValue } from '../report.js';
import type { RowFormatter } from './row-formatter.js';

/** JSON text of one value; `JSON.stringify` also for numbers (see `numberText`), NaN and ±Infinity as null. */
function jsonValue(value: ReportValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

/**
 * One JSON array of objects keyed by column name, written one object per line as rows arrive: valid
 * JSON for `jq` or `JSON.parse`, and still streamed (the array is never held in memory).
 */
export function jsonFormatter(columns: readonly ReportColumn[]): RowFormatter {
  const keys = columns.map((c) => `${JSON.stringify(c.name)}:`);
  let separator = '\n';
  return {
    start: () => '[',
    row(values) {
      let text = `${separator}{`;
      separator = ',\n';
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) text += ',';
        text += keys[i] + jsonValue(values[i] ?? null);
      }
      return `${text}}`;
    },
    end: (rows) => (rows === 0 ? ']\n' : '\n]\n'),
  };
}
