import type { BindValue, ReportParams } from '../../reports/report.js';
import type { ReportDialect, ReportReader } from '../../reports/report-reader.js';
import { sessionsInScope, where } from './reports-sql.js';

/** SQL whose rows are the gaps longer than the threshold: `session_id, ts_before_ms, ts_after_ms, gap_ms`. */
export interface GapsSql {
  sql: string;
  args: BindValue[];
}

/**
 * Every gap between consecutive events of a session (ordered by `ts_ms`, then `seq`) that is longer
 * than `thresholdMs`: LAG over a window partitioned by session. This is the definition; `bucketedGaps`
 * and `walkedGaps` give the same rows faster.
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
 * (millions), reading only the (session_id, ts_ms, seq) index. It still reads every index entry and
 * sorts them into their buckets: the choice for sparse sessions (see `gapsOver`).
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

/**
 * How far from `at_ms` the index range of a step reaches beyond the threshold: the step keeps only
 * events with `ts_ms - at_ms <= T` (the very test of `plainGaps`), and the bound `at_ms + T + slack`
 * must hold all of them whatever the rounding of that sum (1 ms, and a few ulps of large values).
 */
const SLACK = '1 + abs(w.at_ms) * 1e-14';

/**
 * The same gaps as `plainGaps`, for a threshold T >= 0, by walking each session with index seeks
 * instead of reading its events. From an event at `at_ms`, the walk goes to the latest event at most
 * T later: no gap lies in between (every step there is at most T). When there is none, it goes to the
 * next event, and that step is a gap longer than T. Two steps always advance more than T, so a session
 * costs about 2 x (its span / T) + 2 x (its gaps) seeks, however many events it holds: a few thousand
 * seeks for 1M events of busy sessions instead of reading them all. Each row of the walk keeps the
 * previous position, so a gap is a row whose step is longer than T, as in `plainGaps`.
 */
export function walkedGaps(dialect: ReportDialect, params: ReportParams, thresholdMs: number): GapsSql {
  const sessions = sessionsInScope(params);
  // SQLite types a CTE column by its first term: a CAST there would turn every ts_ms into a REAL.
  const noPosition = dialect === 'sqlite' ? 'NULL' : 'CAST(NULL AS DOUBLE PRECISION)';
  return {
    sql: `WITH RECURSIVE ${sessions.sql},
      walk(session_id, at_ms, prev_ms) AS (
        SELECT s.session_id, (SELECT min(e.ts_ms) FROM events e WHERE e.session_id = s.session_id), ${noPosition}
        FROM sessions s WHERE s.session_id IS NOT NULL
        UNION ALL
        SELECT w.session_id, coalesce(
            (SELECT e.ts_ms FROM events e
              WHERE e.session_id = w.session_id AND e.ts_ms > w.at_ms AND e.ts_ms <= w.at_ms + ? + ${SLACK}
                AND e.ts_ms - w.at_ms <= ?
              ORDER BY e.ts_ms DESC LIMIT 1),
            (SELECT min(e.ts_ms) FROM events e WHERE e.session_id = w.session_id AND e.ts_ms > w.at_ms)),
          w.at_ms
        FROM walk w WHERE w.at_ms IS NOT NULL)
      SELECT session_id, prev_ms AS ts_before_ms, at_ms AS ts_after_ms, at_ms - prev_ms AS gap_ms
      FROM walk WHERE at_ms - prev_ms > ?`,
    args: [...sessions.args, thresholdMs, thresholdMs, thresholdMs],
  };
}

/**
 * A walk costs about this many times a bucketed read per event (an index seek against the next entry
 * of a scan): measured about 8x in SQLite and 20x in PostgreSQL on 1M events; the walk is chosen only
 * where it wins by that margin.
 */
const SEEK_COST = 16;

/** Under this many steps the walk is chosen whatever the events: a few milliseconds. */
const SMALL_WALK = 5000;

/**
 * Whether walking beats reading every event: the walk takes at most 2 x span / T + 2 steps per session
 * (see `walkedGaps`), looked up from each session's first and last `ts_ms` (index seeks); the events
 * are counted for one session, else estimated by the largest `id` (no count over the whole table).
 */
async function walkIsCheaper(reader: ReportReader, params: ReportParams, thresholdMs: number): Promise<boolean> {
  if (thresholdMs <= 0) return false;
  const sessions = sessionsInScope(params);
  const span = await reader.one(
    `WITH RECURSIVE ${sessions.sql}
    SELECT count(*) AS sessions, sum(
        (SELECT max(e.ts_ms) FROM events e WHERE e.session_id = s.session_id)
        - (SELECT min(e.ts_ms) FROM events e WHERE e.session_id = s.session_id)) AS span_ms
    FROM sessions s WHERE s.session_id IS NOT NULL`,
    sessions.args,
  );
  const spanMs = Number(span?.[1] ?? 0);
  if (!Number.isFinite(spanMs)) return false;
  const steps = 2 * (spanMs / thresholdMs) + 2 * Number(span?.[0] ?? 0);
  if (steps <= SMALL_WALK) return true;
  const events =
    params.session !== undefined
      ? await reader.one('SELECT count(*) FROM events WHERE session_id = ?', [params.session])
      : await reader.one('SELECT max(id) FROM events');
  return steps * SEEK_COST <= Number(events?.[0] ?? 0);
}

/** The gaps over the threshold (in ms), by the fastest exact method for it and this data. */
export async function gapsOver(reader: ReportReader, params: ReportParams, thresholdMs: number): Promise<GapsSql> {
  if (await walkIsCheaper(reader, params, thresholdMs)) return walkedGaps(reader.dialect, params, thresholdMs);
  return thresholdMs > 0 ? bucketedGaps(params, thresholdMs) : plainGaps(params, thresholdMs);
}
