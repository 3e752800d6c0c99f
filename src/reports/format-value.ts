import { formatDuration } from '../telemetry/rates.js';
import type { ReportColumn, ReportValue } from './report.js';

/** Longest cell of a table; longer text is cut with `…` unless its column is `whole` (CSV and JSON always carry it whole). */
export const TABLE_CELL_MAX = 60;

/**
 * A number as text, exactly as `String(n)` writes it. `String(n)` (and template literals) go through
 * V8's number-to-string cache, which keeps every recent result alive long enough to be promoted to the
 * old generation: on an export of millions of distinct `ts_ms` that alone grows the heap by ~60 MB.
 * `JSON.stringify` writes the same digits without the cache. Non-finite values keep their names.
 */
export function numberText(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  return Number.isFinite(n) ? JSON.stringify(n) : String(n);
}

/** `12.5s` under a minute (gaps near a threshold need the tenth), else `1h02m05s`. */
export function humanSeconds(seconds: number): string {
  if (Math.abs(seconds) < 59.95) return `${Number(seconds.toFixed(1))}s`;
  return formatDuration(seconds);
}

/** A cell as a table shows it: NULL as `-`, durations human, decimals fixed, control characters escaped. */
export function tableCell(column: ReportColumn, value: ReportValue): string {
  if (value === null) return '-';
  if (typeof value === 'string') {
    const shown = value.replace(CONTROL, escapeControl);
    return column.whole === true ? shown : shorten(shown);
  }
  const n = Number(value);
  switch (column.kind) {
    case 'seconds':
      return humanSeconds(n);
    case 'number':
      return n.toFixed(column.decimals ?? 1);
    case 'epoch_ms':
      return isoTime(n) ?? numberText(value);
    default:
      return numberText(value);
  }
}

/** Below this, milliseconds are not a wall-clock time (1973-03-03): a monotonic clock's, say. */
const EPOCH_MS_FROM = 1e11;

/** `2025-08-29T08:00:00.002Z` for epoch milliseconds, or undefined when `ms` is no such time. */
export function isoTime(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms < EPOCH_MS_FROM || ms > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** Control characters would break the alignment (or drive the terminal), so a table shows them escaped. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function shorten(text: string): string {
  return text.length > TABLE_CELL_MAX ? `${text.slice(0, TABLE_CELL_MAX - 1)}…` : text;
}
