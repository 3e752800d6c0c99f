import type { BindValue, ProfileReports, ReportDefinition, ReportParams } from '../../reports/report.js';
import type { ReportDialect } from '../../reports/report-reader.js';
import { limitArg, textOrder } from '../../reports/report-sql.js';

/** Level names as the applog mapping writes them (pino's 10..60); others count as `other`. */
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** The levels counted as errors. */
const ERROR_LEVELS = "level IN ('error', 'fatal')";

/**
 * `timestamp` as the ISO text SQLite stores (`2025-04-01T18:28:18.671Z`): PostgreSQL keeps a
 * TIMESTAMPTZ, written here in UTC with milliseconds, so both dialects print the same bytes.
 */
function isoOf(dialect: ReportDialect, expr: string): string {
  return dialect === 'sqlite' ? expr : `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The first characters of the ISO time that name a period (hour, day, month), in UTC. */
const PERIOD_CHARS: Readonly<Record<string, number>> = { hourly: 13, daily: 10, monthly: 7 };

function periodOf(dialect: ReportDialect, period: string): string {
  return `substr(${isoOf(dialect, 'timestamp')}, 1, ${PERIOD_CHARS[period] ?? 10})`;
}

/** `WHERE …` of `--session HOST`, `--since` (inclusive) and `--until` (exclusive), with its values. */
function conditionsOf(dialect: ReportDialect, params: ReportParams, table = ''): { sql: string[]; args: BindValue[] } {
  const conditions: string[] = [];
  const args: BindValue[] = [];
  // SQLite compares ISO text (both UTC, so text order is time order); PostgreSQL compares times.
  const time = dialect === 'sqlite' ? '?' : 'CAST(? AS TIMESTAMPTZ)';
  const col = (name: string): string => (table ? `${table}.${name}` : name);
  if (params.session !== undefined) {
    conditions.push(`${col('hostname')} = ?`);
    args.push(params.session);
  }
  if (params.since !== undefined) {
    conditions.push(`${col('timestamp')} >= ${time}`);
    args.push(params.since);
  }
  if (params.until !== undefined) {
    conditions.push(`${col('timestamp')} < ${time}`);
    args.push(params.until);
  }
  return { sql: conditions, args };
}

function whereOf(dialect: ReportDialect, params: ReportParams): { sql: string; args: BindValue[] } {
  const c = conditionsOf(dialect, params);
  return { sql: c.sql.length > 0 ? `WHERE ${c.sql.join(' AND ')}` : '', args: c.args };
}

/** Entries per period and level: how the levels move over time. */
export const applogLevelsReport: ReportDefinition = {
  name: 'levels',
  summary: 'entries per hour/day/month (UTC) and level: trace, debug, info, warn, error, fatal, other',
  example: 'sluice report levels --profile applog --db logs/app.db --period hourly --since 2025-04-01',
  options: { period: { choices: ['hourly', 'daily', 'monthly'], default: 'daily' }, timeRange: true },
  columns: () => [
    { name: 'period', kind: 'text' },
    { name: 'entries', kind: 'integer' },
    ...LEVELS.map((l) => ({ name: l, kind: 'integer' as const })),
    { name: 'other', kind: 'integer' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = whereOf(d, params);
    const perLevel = LEVELS.map((l) => `count(CASE WHEN level = '${l}' THEN 1 END) AS ${l}`).join(', ');
    const known = LEVELS.map((l) => `'${l}'`).join(', ');
    return {
      sql: `SELECT * FROM (
          SELECT ${periodOf(d, params.period ?? 'daily')} AS period, count(*) AS entries, ${perLevel},
            count(CASE WHEN level IS NULL OR level NOT IN (${known}) THEN 1 END) AS other
          FROM logs ${w.sql}
          GROUP BY 1) AS per_period
        ORDER BY ${textOrder(d, 'period')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
      caption: `entries per ${(params.period ?? 'daily').replace(/ly$/, '').replace('dai', 'day')} (UTC)`,
    };
  },
};

/** The most frequent messages, with their level. */
export const applogTopMessagesReport: ReportDefinition = {
  name: 'top_messages',
  summary: 'most frequent (message, level): entries, contexts, first and last time; most entries first',
  example: 'sluice report top-messages --profile applog --db logs/app.db --limit 20',
  options: { limit: 20, timeRange: true },
  columns: () => [
    { name: 'message', kind: 'text' },
    { name: 'level', kind: 'text' },
    { name: 'entries', kind: 'integer' },
    { name: 'contexts', kind: 'integer' },
    { name: 'first_at', kind: 'text' },
    { name: 'last_at', kind: 'text' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = whereOf(d, params);
    return {
      sql: `SELECT message, level, count(*) AS entries, count(DISTINCT context) AS contexts,
          ${isoOf(d, 'min(timestamp)')} AS first_at, ${isoOf(d, 'max(timestamp)')} AS last_at
        FROM logs ${w.sql}
        GROUP BY message, level
        ORDER BY entries DESC, ${textOrder(d, 'message')}, ${textOrder(d, 'level')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
    };
  },
};

/** Errors and warnings per context (the logger's `context`, e.g. a controller). */
export const applogErrorsByContextReport: ReportDefinition = {
  name: 'errors_by_context',
  summary: 'per context: entries, errors (error + fatal), warnings, the last error; most errors first',
  example: 'sluice report errors-by-context --profile applog --db logs/app.db --since 2025-04-01',
  options: { limit: 50, timeRange: true },
  columns: () => [
    { name: 'context', kind: 'text' },
    { name: 'entries', kind: 'integer' },
    { name: 'errors', kind: 'integer' },
    { name: 'warnings', kind: 'integer' },
    { name: 'last_error_at', kind: 'text' },
    { name: 'last_error', kind: 'text' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = whereOf(d, params);
    const e = conditionsOf(d, params, 'e');
    // The last error's message: of the newest error entry of the context (ties: the smallest message).
    const lastError = `(SELECT e.message FROM logs e WHERE e.${ERROR_LEVELS} AND e.context IS NOT DISTINCT FROM c.context
        ${e.sql.map((c) => `AND ${c}`).join(' ')}
        ORDER BY e.timestamp DESC, ${textOrder(d, 'e.message')} LIMIT 1)`;
    return {
      sql: `SELECT context, entries, errors, warnings, ${isoOf(d, 'last_error_ts')} AS last_error_at,
          CASE WHEN errors > 0 THEN ${lastError} END AS last_error
        FROM (
          SELECT context, count(*) AS entries, count(CASE WHEN ${ERROR_LEVELS} THEN 1 END) AS errors,
            count(CASE WHEN level = 'warn' THEN 1 END) AS warnings,
            max(CASE WHEN ${ERROR_LEVELS} THEN timestamp END) AS last_error_ts
          FROM logs ${w.sql}
          GROUP BY context) AS c
        ORDER BY errors DESC, warnings DESC, entries DESC, ${textOrder(d, 'context')}
        LIMIT ?`,
      args: [...e.args, ...w.args, limitArg(d, params)],
    };
  },
};

/** The reports of `--profile applog`, over table `logs`; `--session HOST` narrows each to one host. */
export const APPLOG_REPORTS: ProfileReports = {
  table: 'logs',
  sessionColumn: 'hostname',
  indexes: [],
  reports: [applogLevelsReport, applogTopMessagesReport, applogErrorsByContextReport],
};
