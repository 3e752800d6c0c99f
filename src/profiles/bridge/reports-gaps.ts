import type { BindValue, ReportDefinition, ReportParams } from '../../reports/report.js';
import { limitArg, textOrder } from '../../reports/report-sql.js';
import { msAsSeconds, secondsToMs, where } from './reports-sql.js';

const DEFAULT_THRESHOLD_SEC = 10;

/** SQL whose rows are the gaps longer than the threshold: `session_id, ts_before_ms, ts_after_ms, gap_ms`. */
export interface GapsSql {
  sql: string;
  args: BindValue[];
}

/**
 * Every gap between consecutive events of a session (ordered by `ts_ms`, then `seq`) that is longer
 * than `thresholdMs`: LAG over a window partitioned by session. This is the definition; `bucketedGaps`
 * gives the same rows faster.
 */
export function plainGaps(params: ReportParams, thresholdMs: number): GapsSql {
  const w = where(params, ['ts_ms IS NOT NULL']);
  return {
    sql: `SELECT session_id, ts_before_ms, ts_ms AS ts_after_ms, gap_ms FROM (
        SELECT session_id, ts_ms, lag(ts_ms) OVER w AS ts_before_ms, ts_ms - lag(ts_ms) OVER w AS gap_ms
        FROM events ${w.sql}
        WINDOW w AS (PARTITION BY session_id ORDER BY ts_ms, seq)) AS gaps
      WHERE gap_ms > ?`,
    args: [...w.args, thresholdMs],
  };
}

/**
 * The same gaps as `plainGaps`, for a threshold T > 0, without a window over every event. Cut each
 * session's time into buckets of width T (`floor(ts_ms / T)`): two events in one bucket are less than
 * T apart, so every gap longer than T runs from the last event of a bucket to the first event of the
 * next non-empty one. LAG then runs over the buckets (thousands of rows) instead of the events
 * (millions), reading only the (session_id, ts_ms, seq) index: about twice as fast on 1M events.
 */
export function bucketedGaps(params: ReportParams, thresholdMs: number): GapsSql {
  const w = where(params, ['ts_ms IS NOT NULL']);
  return {
    sql: `SELECT session_id, ts_before_ms, ts_after_ms, gap_ms FROM (
        SELECT session_id, lag(last_ms) OVER w AS ts_before_ms, first_ms AS ts_after_ms,
          first_ms - lag(last_ms) OVER w AS gap_ms
        FROM (
          SELECT session_id, min(ts_ms) AS first_ms, max(ts_ms) AS last_ms
          FROM events ${w.sql}
          GROUP BY session_id, floor(ts_ms / CAST(? AS DOUBLE PRECISION))) AS buckets
        WINDOW w AS (PARTITION BY session_id ORDER BY first_ms)) AS gaps
      WHERE gap_ms > ?`,
    args: [...w.args, thresholdMs, thresholdMs],
  };
}

/** The gaps over the report's threshold, by the fastest exact method for it. */
export function gapsOver(params: ReportParams): GapsSql {
  const thresholdMs = secondsToMs(params.thresholdSec ?? DEFAULT_THRESHOLD_SEC);
  return thresholdMs > 0 ? bucketedGaps(params, thresholdMs) : plainGaps(params, thresholdMs);
}

/** Per session: how many gaps exceed the threshold, the largest, and their mean. */
export const gapsReport: ReportDefinition = {
  name: 'gaps',
  summary: 'per session: gaps between consecutive events (by ts_ms) longer than --threshold-sec: count, largest, mean',
  example: 'sluice report gaps --db logs/bridge.db --session SESSION_ID --threshold-sec 10',
  options: { thresholdSec: DEFAULT_THRESHOLD_SEC, limit: 50 },
  chart: { kind: 'bars', values: ['gaps'] },
  columns: () => [
    { name: 'session_id', kind: 'text' },
    { name: 'gaps', kind: 'integer' },
    { name: 'largest_gap_s', kind: 'seconds' },
    { name: 'mean_gap_s', kind: 'seconds' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const gaps = gapsOver(params);
    return {
      sql: `SELECT session_id, count(*) AS gaps, ${msAsSeconds(d, 'max(gap_ms)', 'largest_gap_s')},
          ${msAsSeconds(d, 'avg(gap_ms)', 'mean_gap_s')}
        FROM (${gaps.sql}) AS over_threshold
        GROUP BY session_id
        ORDER BY gaps DESC, max(gap_ms) DESC, ${textOrder(d, 'session_id')}
        LIMIT ?`,
      args: [...gaps.args, limitArg(d, params)],
    };
  },
};

/**
 * The largest single gaps, with the events at both ends. Their `seq` is looked up for the few gaps
 * listed only: the last event at `ts_before_ms`, the first at `ts_after_ms` (ties in `ts_ms` are
 * ordered by `seq`, as in the window).
 */
export const gapListReport: ReportDefinition = {
  name: 'gap_list',
  summary: 'the largest gaps longer than --threshold-sec: session, seq before and after, length, ts_ms at both ends',
  example: 'sluice report gap_list --db logs/bridge.db --session SESSION_ID --threshold-sec 10 --limit 20',
  options: { thresholdSec: DEFAULT_THRESHOLD_SEC, limit: 50 },
  chart: { kind: 'timeline', lane: 'session_id', from: 'ts_before_ms', to: 'ts_after_ms' },
  columns: () => [
    { name: 'session_id', kind: 'text' },
    { name: 'seq_before', kind: 'integer' },
    { name: 'seq_after', kind: 'integer' },
    { name: 'gap_s', kind: 'seconds' },
    { name: 'ts_before_ms', kind: 'epoch_ms' },
    { name: 'ts_after_ms', kind: 'epoch_ms' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const gaps = gapsOver(params);
    return {
      sql: `SELECT session_id,
          (SELECT seq FROM events e WHERE e.session_id = g.session_id AND e.ts_ms = g.ts_before_ms
            ORDER BY seq DESC LIMIT 1) AS seq_before,
          (SELECT seq FROM events e WHERE e.session_id = g.session_id AND e.ts_ms = g.ts_after_ms
            ORDER BY seq LIMIT 1) AS seq_after,
          ${msAsSeconds(d, 'gap_ms', 'gap_s')}, ts_before_ms, ts_after_ms
        FROM (${gaps.sql} ORDER BY gap_ms DESC, ${textOrder(d, 'session_id')}, ts_after_ms LIMIT ?) AS g
        ORDER BY gap_ms DESC, ${textOrder(d, 'session_id')}, ts_after_ms`,
      args: [...gaps.args, limitArg(d, params)],
    };
  },
};
