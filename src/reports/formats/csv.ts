import { numberText } from '../format-value.js';
import type { ReportColumn, ReportValue } from '../report.js';
import type { RowFormatter } from './row-formatter.js';

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field as RFC 4180 wants it: quoted when it holds a comma, a quote, CR or LF, with inner
 * quotes doubled. NULL is an empty field; an empty string is `""`, so a reader can tell them apart.
 */
export function csvField(value: ReportValue): string {
  if (value === null) return '';
  if (typeof value !== 'string') return numberText(value);
  if (value === '') return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record, CRLF-terminated as RFC 4180 says (every CSV reader accepts it). */
export function csvRecord(values: readonly ReportValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += csvField(values[i] ?? null);
  }
  return `${line}\r\n`;
}

/** CSV with a header row; durations are plain seconds, timestamps plain `ts_ms`. */
export function csvFormatter(columns: readonly ReportColumn[]): RowFormatter {
  return {
    start: () => csvRecord(columns.map((c) => c.name)),
    row: csvRecord,
    end: () => '',
  };
}
