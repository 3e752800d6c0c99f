import type { ReportDefinition, ReportParams } from '../../reports/report.js';
import { limitArg, textOrder } from '../../reports/report-sql.js';
import { gapsOver } from './reports-gaps-sql.js';
import { msAsSeconds, secondsToMs } from './reports-sql.js';

const DEFAULT_THRESHOLD_SEC = 10;

/** The report's threshold in milliseconds. */
function thresholdMsOf(params: ReportParams): number {
  return secondsToMs(params.thresholdSec ?? DEFAULT_THRESHOLD_SEC);
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
    const gaps = await gapsOver(reader, params, thresholdMsOf(params));
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
    const gaps = await gapsOver(reader, params, thresholdMsOf(params));
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
