import type { BindValue, ReportParams } from '../../reports/report.js';
import type { ReportDialect, ReportReader } from '../../reports/report-reader.js';
import { descending, limitArg, roundedAs, textOrder } from '../../reports/report-sql.js';
import { FRACTION_HALF } from './plate-activity.js';
import { msAsSeconds } from './reports-sql.js';

/** A report's statement over `plate_activity`. */
export interface SummarySql {
  sql: string;
  args: BindValue[];
}

/**
 * Whether the database has `plate_activity` (bridge migration 3 in SQLite, 2 in PostgreSQL). A
 * database last written by an older Sluice has not: its reports read the events, as before. Every
 * writer migrates before its first row, and an older one refuses the newer schema, so where the
 * table exists it holds every event.
 */
export async function hasPlateActivity(reader: ReportReader): Promise<boolean> {
  return hasTable(reader, 'plate_activity');
}

/** Whether the database has the summary `table` (in PostgreSQL: on the reader's search path); see `hasPlateActivity`. */
export async function hasTable(reader: ReportReader, table: string): Promise<boolean> {
  const row =
    reader.dialect === 'sqlite'
      ? await reader.one("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
      : await reader.one('SELECT CASE WHEN to_regclass(?) IS NULL THEN 0 ELSE 1 END', [table]);
  return Number(row?.[0] ?? 0) > 0;
}

/** `AND session_id = ?` (`--session`) and more conditions, with their values. */
function scope(params: ReportParams, conditions: Array<[string, ...BindValue[]]>): SummarySql {
  const parts = [...conditions];
  if (params.session !== undefined) parts.push(['session_id = ?', params.session]);
  return { sql: parts.map((p) => p[0]).join(' AND '), args: parts.flatMap(([, ...args]) => args) };
}

/** Integer division, truncated toward zero (SQLite's `/` of two integers; PostgreSQL's sums are NUMERIC). */
function intDiv(d: ReportDialect, a: string, b: number): string {
  return d === 'sqlite' ? `(${a} / ${b})` : `div(${a}, ${b})`;
}

/** A NUMERIC or integer sum as a double (exact below 2^53). */
function asDouble(x: string): string {
  return `CAST(${x} AS DOUBLE PRECISION)`;
}

/**
 * Report `hits` from the per-plate aggregates: the same rows as grouping the HITs (count, min, max;
 * the mean is their sum over the count of `t_rel_ms`, as `avg` divides them). The sum comes from its
 * exact integer parts (see `exactSumParts`): the carries between them are moved up so that each
 * fraction part is below 2^26, then the integer part and the fraction (below 2^52 units of 2^-52,
 * exact as a double) are added once. The inner queries name the key `plate_key`, so `plate` in
 * ORDER BY is the output column in both dialects.
 */
export function hitsFromSummary(reader: ReportReader, params: ReportParams): SummarySql {
  const d = reader.dialect;
  const half = FRACTION_HALF;
  const conditions: Array<[string, ...BindValue[]]> = [['hits > 0']];
  if (params.plate !== undefined) conditions.push(['plate_null = 0 AND plate_key = ?', params.plate]);
  const w = scope(params, conditions);
  const lowCarry = intDiv(d, 'low', half);
  const highCarry = intDiv(d, 'high2', half);
  const fraction = `${asDouble(`(high2 - ${highCarry} * ${half}) * ${half} + low2`)} / ${half * half}.0`;
  const total = `${asDouble(`whole + ${highCarry}`)} + ${fraction} + rest`;
  return {
    sql: `SELECT plate, hits, min_t_rel_ms, max_t_rel_ms, ${roundedAs(d, `(${total}) / ${asDouble('nullif(n, 0)')}`, 3, 'mean_t_rel_ms')}
      FROM (
        SELECT plate, hits, min_t_rel_ms, max_t_rel_ms, n, whole, rest, high + ${lowCarry} AS high2, low - ${lowCarry} * ${half} AS low2
        FROM (
          SELECT CASE WHEN plate_null = 1 THEN NULL ELSE plate_key END AS plate, sum(hits) AS hits,
            min(hit_t_rel_min) AS min_t_rel_ms, max(hit_t_rel_max) AS max_t_rel_ms, sum(hit_t_rel_count) AS n,
            sum(hit_t_rel_int) AS whole, sum(hit_t_rel_frac_high) AS high, sum(hit_t_rel_frac_low) AS low,
            sum(hit_t_rel_rest) AS rest
          FROM plate_activity WHERE ${w.sql}
          GROUP BY plate_null, plate_key) AS per_plate) AS carried
      ORDER BY hits DESC, ${textOrder(d, 'plate', 'last')}
      LIMIT ?`,
    args: [...w.args, limitArg(d, params)],
  };
}

/** Report `last_seen` from the per-plate aggregates: events, first and last `ts_ms` of each plate. */
export function lastSeenFromSummary(reader: ReportReader, params: ReportParams): SummarySql {
  const d = reader.dialect;
  const w = scope(params, [['plate_null = 0']]);
  return {
    sql: `SELECT plate, events, first_ts_ms, last_ts_ms, ${msAsSeconds(d, 'last_ts_ms - first_ts_ms', 'span_s')} FROM (
        SELECT plate_key AS plate, sum(events) AS events, min(first_ts_ms) AS first_ts_ms, max(last_ts_ms) AS last_ts_ms
        FROM plate_activity WHERE ${w.sql}
        GROUP BY plate_key) AS per_plate
      ORDER BY ${descending(d, 'last_ts_ms')}, ${textOrder(d, 'plate')}
      LIMIT ?`,
    args: [...w.args, limitArg(d, params)],
  };
}
