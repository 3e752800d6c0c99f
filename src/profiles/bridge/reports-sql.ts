import type { BindValue, ReportParams } from '../../reports/report.js';
import { humanSeconds, isoTime } from '../../reports/format-value.js';
import type { ReportDialect, ReportReader } from '../../reports/report-reader.js';
import { roundedAs } from '../../reports/report-sql.js';

/** A WHERE clause built from parts, with the values for its placeholders in order. */
export interface Where {
  sql: string;
  args: BindValue[];
}

/** `WHERE a AND b ...` (or nothing) from conditions and their values; `--session` is added when given. */
export function where(params: ReportParams, ...conditions: Array<[string, ...BindValue[]]>): Where {
  const parts = [...conditions];
  if (params.session !== undefined) parts.push(['session_id = ?', params.session]);
  if (parts.length === 0) return { sql: '', args: [] };
  return { sql: `WHERE ${parts.map((p) => p[0]).join(' AND ')}`, args: parts.flatMap(([, ...args]) => args) };
}

/**
 * The sessions in scope, as a CTE `sessions(session_id)`: the one of `--session`, else every distinct
 * one by a skip scan of the (session_id, …) index (one index seek per session, not a read of every
 * event). Its last row is NULL (the end of the skip scan): users filter it out.
 */
export function sessionsInScope(params: ReportParams): Where {
  if (params.session !== undefined) return { sql: 'sessions(session_id) AS (SELECT CAST(? AS TEXT))', args: [params.session] };
  return {
    sql: `sessions(session_id) AS (
        SELECT min(session_id) FROM events
        UNION ALL
        SELECT (SELECT min(e.session_id) FROM events e WHERE e.session_id > s.session_id)
        FROM sessions s WHERE s.session_id IS NOT NULL)`,
    args: [],
  };
}

/**
 * Seconds as milliseconds, rounded to a microsecond so that `10.001` s is exactly `10001` ms and a
 * gap of exactly the threshold is not "longer than" it by a floating-point hair.
 */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

/** An output column: milliseconds as seconds, to the millisecond (see `roundedAs`). */
export function msAsSeconds(dialect: ReportDialect, expr: string, alias: string): string {
  return roundedAs(dialect, `(${expr}) / 1000.0`, 3, alias);
}

/** The window `--window-sec` asks for, anchored at the newest `ts_ms` in scope (never the wall clock). */
export interface Window {
  /** The newest `ts_ms` of the session, or of the whole table; null when no event has one. */
  newestMs: number | null;
  /** Events with `ts_ms >= fromMs` are in the window. */
  fromMs: number | null;
  /** Window length in seconds. */
  seconds: number;
  /**
   * True when the window holds few of the table's rows, so reading them through the `ts_ms` index
   * beats a scan. Always false with `--session`: the (session_id, ts_ms) index serves that best.
   */
  narrow: boolean;
  /** For the table caption. */
  caption: string;
}

/**
 * `ts_ms` is a per-process monotonic clock, so "the last 10 minutes" means the 10 minutes up to the
 * newest event in scope (the session's, or the table's), both ends included.
 */
export async function recentWindow(reader: ReportReader, params: ReportParams, defaultSec: number): Promise<Window> {
  const seconds = params.windowSec ?? defaultSec;
  const scope = where(params);
  const row = await reader.one(`SELECT max(ts_ms) AS newest FROM events ${scope.sql}`, scope.args);
  const newestMs = typeof row?.[0] === 'number' ? row[0] : null;
  const fromMs = newestMs === null ? null : newestMs - secondsToMs(seconds);
  // PostgreSQL chooses between the index and a scan by its statistics; SQLite is told (see isNarrow).
  const narrow = reader.dialect === 'sqlite' && params.session === undefined && fromMs !== null && (await isNarrow(reader, fromMs));
  const scopeName = params.session !== undefined ? `session ${params.session}` : 'the table';
  const caption =
    newestMs === null
      ? `window: no event of ${scopeName} has a ts_ms`
      : windowCaption(humanSeconds(seconds), scopeName, fromMs ?? newestMs, newestMs);
  return { newestMs, fromMs, seconds, narrow, caption };
}

/**
 * Whether at most a quarter of the table is at or after `fromMs`. The probe counts index entries and
 * stops at that quarter, so it costs little either way. Reading rows through the index costs about
 * three times a sequential scan per row, hence the quarter. Without statistics (no ANALYZE: stats
 * taken on a young table would mislead later) SQLite cannot tell the two cases apart by itself.
 */
async function isNarrow(reader: ReportReader, fromMs: number): Promise<boolean> {
  const rows = Number((await reader.one('SELECT max(id) AS n FROM events'))?.[0] ?? 0);
  const quarter = Math.ceil(rows / 4);
  const inWindow = await reader.one('SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ts_ms >= ? LIMIT ?)', [fromMs, quarter + 1]);
  return Number(inWindow?.[0] ?? 0) <= quarter;
}

/**
 * Grouping columns for a windowed count. For a narrow window they are written `+col`, which keeps
 * SQLite from walking a (type, msg) index in group order over the whole table just to skip a sort
 * (`narrow` is never set for PostgreSQL, which has no such hint).
 */
export function groupTerms(keys: readonly string[], window: Window): string {
  return keys.map((k) => (window.narrow ? `+${k}` : k)).join(', ');
}

/** The window's caption: its ends as ISO times when `ts_ms` holds wall-clock times, always as ts_ms. */
function windowCaption(length: string, scopeName: string, fromMs: number, newestMs: number): string {
  const [from, to] = [isoTime(fromMs), isoTime(newestMs)];
  if (from === undefined || to === undefined) return `window: the last ${length} of ${scopeName}, ts_ms ${fromMs} to ${newestMs} (the newest)`;
  return `window: the last ${length} of ${scopeName}, ${from} to ${to} (ts_ms ${fromMs} to ${newestMs}, the newest)`;
}
