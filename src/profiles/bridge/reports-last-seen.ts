import type { ReportDefinition, ReportParams } from '../../reports/report.js';
import type { ReportReader } from '../../reports/report-reader.js';
import { descending, limitArg, textOrder } from '../../reports/report-sql.js';
import { hasPlateActivity, lastSeenFromSummary } from './reports-plate-activity.js';
import { msAsSeconds, where } from './reports-sql.js';

/** The newest events the first look for the plates shown reads, per plate asked for; doubled until enough. */
const EVENTS_PER_PLATE = 64;

/** Past this many newest events, the look stops and every plate is grouped. */
const MAX_LOOK = 200_000;

/**
 * A `ts_ms` that the `limit` most recently seen plates all reach: the oldest of the newest events
 * in scope (read through a `ts_ms` index, newest first) once they name `limit` distinct plates. A
 * plate never seen at or after it was last seen before every plate that was, so the report's first
 * `limit` rows are among the plates seen since. Undefined when no such time is found cheaply.
 */
async function cutoffOf(reader: ReportReader, params: ReportParams, limit: number): Promise<number | undefined> {
  const w = where(params, ['ts_ms IS NOT NULL']);
  for (let look = limit * EVENTS_PER_PLATE; look <= MAX_LOOK; look *= 2) {
    const row = await reader.one(
      `SELECT count(DISTINCT plate), min(ts_ms), count(*) FROM (
        SELECT plate, ts_ms FROM events ${w.sql} ORDER BY ts_ms DESC LIMIT ?) AS newest`,
      [...w.args, look],
    );
    const [plates, oldest, events] = (row ?? []).map(Number);
    if ((plates ?? 0) >= limit && Number.isFinite(oldest)) return oldest;
    if ((events ?? 0) < look) return undefined; // every event in scope was read
  }
  return undefined;
}

/** When each plate was last seen. Events without a plate (status, info) are not about a plate: left out. */
export const lastSeenReport: ReportDefinition = {
  name: 'last_seen',
  summary: 'per plate: events, first and last ts_ms, span; most recently seen first (best with --session)',
  example: 'sluice report last-seen --db logs/bridge.db --session SESSION_ID --limit 20',
  options: { limit: 50 },
  chart: { kind: 'timeline', lane: 'plate', from: 'first_ts_ms', to: 'last_ts_ms' },
  columns: () => [
    { name: 'plate', kind: 'text' },
    { name: 'events', kind: 'integer' },
    { name: 'first_ts_ms', kind: 'epoch_ms' },
    { name: 'last_ts_ms', kind: 'epoch_ms' },
    { name: 'span_s', kind: 'seconds' },
  ],
  async query(reader, params) {
    // Its only flag, --session, is a key of plate_activity: the per-plate aggregates answer it.
    if (await hasPlateActivity(reader)) return lastSeenFromSummary(reader, params);
    const d = reader.dialect;
    // Without them (a database last written by an older Sluice), the events themselves.
    const w = where(params, ['plate IS NOT NULL']);
    // Grouping thousands of plates to show 50 sorts every event; the plates shown are found first
    // among the newest events, and only their events are grouped (still a read of the table).
    const cutoff = params.limit === undefined ? undefined : await cutoffOf(reader, params, params.limit);
    const seen = where(params, ['plate IS NOT NULL'], ['ts_ms >= ?', cutoff ?? null]);
    const only = cutoff === undefined ? '' : `AND plate IN (SELECT plate FROM events ${seen.sql})`;
    return {
      sql: `SELECT plate, count(*) AS events, min(ts_ms) AS first_ts_ms, max(ts_ms) AS last_ts_ms,
          ${msAsSeconds(d, 'max(ts_ms) - min(ts_ms)', 'span_s')}
        FROM events ${w.sql} ${only}
        GROUP BY plate
        ORDER BY ${descending(d, 'last_ts_ms')}, ${textOrder(d, 'plate')}
        LIMIT ?`,
      args: [...w.args, ...(cutoff === undefined ? [] : seen.args), limitArg(d, params)],
    };
  },
};
