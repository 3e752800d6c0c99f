import type { ReportDefinition } from '../../reports/report.js';
import { descending, limitArg, noIndex, roundedAs, textOrder } from '../../reports/report-sql.js';
import { hasPlateActivity, hitsFromSummary, hasTable } from './reports-plate-activity.js';
import { TYPE_COUNTS_TABLE } from './type-counts.js';
import { msAsSeconds, sessionsInScope, where } from './reports-sql.js';

/** Per session: how much happened and over how long. Newest (by last `ts_ms`) first. */
export const sessionsReport: ReportDefinition = {
  name: 'sessions',
  summary: 'per session: events, HIT and T0 counts, first and last ts_ms, duration; newest first',
  example: 'sluice report sessions --db logs/bridge.db --limit 10',
  options: { limit: 20 },
  chart: { kind: 'timeline', lane: 'session_id', from: 'first_ts_ms', to: 'last_ts_ms' },
  columns: () => [
    { name: 'session_id', kind: 'text' },
    { name: 'events', kind: 'integer' },
    { name: 'hits', kind: 'integer' },
    { name: 't0', kind: 'integer' },
    { name: 'first_ts_ms', kind: 'epoch_ms' },
    { name: 'last_ts_ms', kind: 'epoch_ms' },
    { name: 'duration_s', kind: 'seconds' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const counts = `count(*) AS events,
          count(CASE WHEN msg = 'HIT' THEN 1 END) AS hits,
          count(CASE WHEN msg = 'T0' THEN 1 END) AS t0,
          min(ts_ms) AS first_ts_ms, max(ts_ms) AS last_ts_ms,
          ${msAsSeconds(d, 'max(ts_ms) - min(ts_ms)', 'duration_s')}`;
    const order = `${descending(d, 'last_ts_ms')}, ${textOrder(d, 'session_id')}`;
    if (params.limit === undefined) {
      const w = where(params);
      return {
        sql: `SELECT session_id, ${counts} FROM events ${w.sql} GROUP BY session_id ORDER BY ${order}`,
        args: w.args,
      };
    }
    // The order needs only each session's newest ts_ms (one index seek), so the sessions shown are
    // chosen first and only their events are read: 20 sessions of 200, not every event. PostgreSQL
    // reads each through LATERAL: a join makes it scan the table (it cannot tell that the newest
    // sessions sit together at its end).
    const sessions = sessionsInScope(params);
    const perSession =
      d === 'sqlite'
        ? `SELECT n.id AS session_id, ${counts}
          FROM newest n JOIN events e ON e.session_id = n.id
          GROUP BY n.id`
        : `SELECT n.id AS session_id, counted.*
          FROM newest n CROSS JOIN LATERAL (SELECT ${counts} FROM events e WHERE e.session_id = n.id) AS counted
          WHERE counted.events > 0`; // an aggregate without GROUP BY gives a row even for no events
    return {
      sql: `WITH RECURSIVE ${sessions.sql},
        newest AS (
          SELECT s.session_id AS id, (SELECT max(e.ts_ms) FROM events e WHERE e.session_id = s.session_id) AS newest_ms
          FROM sessions s WHERE s.session_id IS NOT NULL
          ORDER BY ${descending(d, 'newest_ms')}, ${textOrder(d, 's.session_id')}
          LIMIT ?)
        ${perSession}
        ORDER BY ${descending(d, 'last_ts_ms')}, ${textOrder(d, 'n.id')}
        LIMIT ?`,
      args: [...sessions.args, params.limit, params.limit],
    };
  },
};

/** Count per (type, msg). */
export const typesReport: ReportDefinition = {
  name: 'types',
  summary: 'count per (type, msg), largest first',
  example: 'sluice report types --db logs/bridge.db --session SESSION_ID',
  options: {},
  chart: { kind: 'bars', values: ['events'] },
  columns: () => [
    { name: 'type', kind: 'text' },
    { name: 'msg', kind: 'text' },
    { name: 'events', kind: 'integer' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = where(params);
    // Every flag of the report (--session) is a key of type_counts: it answers them all. Without it
    // (a database last written by an older Sluice), the events themselves.
    if (await hasTable(reader, TYPE_COUNTS_TABLE)) {
      return {
        // The inner query names its keys apart, so `type` and `msg` in ORDER BY are the output columns.
        sql: `SELECT type, msg, events FROM (
            SELECT CASE WHEN type_null = 1 THEN NULL ELSE type_key END AS type,
              CASE WHEN msg_null = 1 THEN NULL ELSE msg_key END AS msg, sum(events) AS events
            FROM type_counts ${w.sql}
            GROUP BY type_null, type_key, msg_null, msg_key) AS per_type
          ORDER BY events DESC, ${textOrder(d, 'type', 'last')}, ${textOrder(d, 'msg', 'last')}
          LIMIT ?`,
        args: [...w.args, limitArg(d, params)],
      };
    }
    return {
      sql: `SELECT type, msg, count(*) AS events FROM events ${w.sql}
        GROUP BY type, msg
        ORDER BY events DESC, ${textOrder(d, 'type', 'last')}, ${textOrder(d, 'msg', 'last')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
    };
  },
};

/**
 * HIT events per plate, with the spread of their `t_rel_ms`. HITs without a plate are one row with
 * an empty plate, so the counts add up to the `hits` of report `sessions`.
 */
export const hitsReport: ReportDefinition = {
  name: 'hits',
  summary: "per plate, over type='event' AND msg='HIT': count, min/max/mean t_rel_ms; largest count first",
  example: 'sluice report hits --db logs/bridge.db --session SESSION_ID --plate P0042',
  options: { plate: true },
  chart: { kind: 'bars', values: ['hits'] },
  columns: () => [
    { name: 'plate', kind: 'text' },
    { name: 'hits', kind: 'integer' },
    { name: 'min_t_rel_ms', kind: 'number' },
    { name: 'max_t_rel_ms', kind: 'number' },
    { name: 'mean_t_rel_ms', kind: 'number' },
  ],
  async query(reader, params) {
    // Every flag of the report (--session, --plate) is a key of plate_activity: it answers them all.
    if (await hasPlateActivity(reader)) return hitsFromSummary(reader, params);
    const d = reader.dialect;
    // Without it (a database last written by an older Sluice), the HITs themselves.
    // `+type`, `+msg`: HITs are most events, so the (type, msg) index would only add a lookup per
    // row; the plan is then a scan, or the (session_id, ...) index with --session.
    const conditions: Array<[string, ...string[]]> = [[`${noIndex(d, 'type')} = 'event'`], [`${noIndex(d, 'msg')} = 'HIT'`]];
    if (params.plate !== undefined) conditions.push(['plate = ?', params.plate]);
    const w = where(params, ...conditions);
    return {
      sql: `SELECT plate, count(*) AS hits, min(t_rel_ms) AS min_t_rel_ms, max(t_rel_ms) AS max_t_rel_ms,
          ${roundedAs(d, 'avg(t_rel_ms)', 3, 'mean_t_rel_ms')}
        FROM events ${w.sql}
        GROUP BY plate
        ORDER BY hits DESC, ${textOrder(d, 'plate', 'last')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
    };
  },
};
