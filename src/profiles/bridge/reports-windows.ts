import type { ReportColumn, ReportDefinition, ReportParams } from '../../reports/report.js';
import { limitArg, roundedAs, textOrder } from '../../reports/report-sql.js';
import { groupTerms, recentWindow, where } from './reports-sql.js';

/** What `cadence --by` groups on: the grouping columns for each choice. */
const CADENCE_KEYS: Readonly<Record<string, readonly string[]>> = {
  type_msg: ['type', 'msg'],
  type: ['type'],
  plate: ['plate'],
  all: [],
};

function cadenceKeys(params: ReportParams): readonly string[] {
  return CADENCE_KEYS[params.by ?? 'type_msg'] ?? [];
}

/** How many events per group in the window, and the rate per minute of window. */
export const cadenceReport: ReportDefinition = {
  name: 'cadence',
  summary: 'events and events per minute in the last --window-sec (or --minutes), grouped --by type_msg|type|plate|all',
  example: 'sluice report cadence --db logs/bridge.db --session SESSION_ID --window-sec 600 --by type_msg',
  options: { windowSec: 600, by: { choices: Object.keys(CADENCE_KEYS), default: 'type_msg' }, limit: 20 },
  chart: { kind: 'bars', values: ['per_min'] },
  columns: (params) => [
    ...cadenceKeys(params).map((name): ReportColumn => ({ name, kind: 'text' })),
    { name: 'events', kind: 'integer' },
    { name: 'per_min', kind: 'number', decimals: 2 },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const window = await recentWindow(reader, params, 600);
    const keys = cadenceKeys(params);
    const w = where(params, ['ts_ms >= ?', window.fromMs]);
    const select = keys.map((k) => `${k}, `).join('');
    const groupBy = keys.length > 0 ? `GROUP BY ${groupTerms(keys, window)}` : '';
    const order = ['events DESC', ...keys.map((k) => textOrder(d, k, 'last'))].join(', ');
    return {
      sql: `SELECT ${select}count(*) AS events, ${roundedAs(d, 'count(*) * 60.0 / CAST(? AS DOUBLE PRECISION)', 3, 'per_min')}
        FROM events ${w.sql}
        ${groupBy}
        ORDER BY ${order}
        LIMIT ?`,
      args: [window.seconds, ...w.args, limitArg(d, params)],
      caption: window.caption,
    };
  },
};

/** The most frequent error messages in the window. */
export const errorsRecentReport: ReportDefinition = {
  name: 'errors_recent',
  summary: "top msg of type='error' in the last --window-sec (default 1800) or --minutes, with the last ts_ms of each",
  example: 'sluice report errors_recent --db logs/bridge.db --session SESSION_ID --minutes 30',
  options: { windowSec: 1800, limit: 50 },
  chart: { kind: 'bars', values: ['errors'] },
  columns: () => [
    { name: 'msg', kind: 'text' },
    { name: 'errors', kind: 'integer' },
    { name: 'last_ts_ms', kind: 'epoch_ms' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const window = await recentWindow(reader, params, 1800);
    const w = where(params, ["type = 'error'"], ['ts_ms >= ?', window.fromMs]);
    return {
      sql: `SELECT msg, count(*) AS errors, max(ts_ms) AS last_ts_ms
        FROM events ${w.sql}
        GROUP BY msg
        ORDER BY errors DESC, ${textOrder(d, 'msg', 'last')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
      caption: window.caption,
    };
  },
};

/** What happened lately: counts per (type, msg) in the window. */
export const recentReport: ReportDefinition = {
  name: 'recent',
  summary: 'count per (type, msg) in the last --window-sec (default 900) or --minutes',
  example: 'sluice report recent --db logs/bridge.db --window-sec 900 --format json',
  options: { windowSec: 900 },
  chart: { kind: 'bars', values: ['events'] },
  columns: () => [
    { name: 'type', kind: 'text' },
    { name: 'msg', kind: 'text' },
    { name: 'events', kind: 'integer' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const window = await recentWindow(reader, params, 900);
    const w = where(params, ['ts_ms >= ?', window.fromMs]);
    return {
      sql: `SELECT type, msg, count(*) AS events
        FROM events ${w.sql}
        GROUP BY ${groupTerms(['type', 'msg'], window)}
        ORDER BY events DESC, ${textOrder(d, 'type', 'last')}, ${textOrder(d, 'msg', 'last')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
      caption: window.caption,
    };
  },
};
