import type { BindValue, ProfileReports, ReportDefinition, ReportParams } from '../../reports/report.js';
import type { ReportReader } from '../../reports/report-reader.js';
import { bytewise, descending, limitArg, noIndex, roundedAs, textOrder } from '../../reports/report-sql.js';
import { LOGIN_EVENTS, LONG_CREDENTIALS, LONG_INPUT, SHORT_CREDENTIALS, SHORT_INPUT } from './indexed-text.js';

/** `WHERE a AND b ...` (or nothing) and the values of its placeholders, in order. */
interface Where {
  sql: string;
  args: BindValue[];
}

type Condition = [string, ...BindValue[]];

function whereOf(conditions: readonly Condition[]): Where {
  if (conditions.length === 0) return { sql: '', args: [] };
  return { sql: `WHERE ${conditions.map((c) => c[0]).join(' AND ')}`, args: conditions.flatMap(([, ...args]) => args) };
}

/**
 * Filters on `session_metrics` (alias-free): `--session`, `--since` (inclusive) / `--until` (exclusive)
 * on first_seen, `--ip`, `--flagged`. Times are compared as ISO text, which orders them as times as long
 * as both are UTC (`...Z`), as Cowrie writes them and as `--since`/`--until` are normalized.
 */
function sessionConditions(params: ReportParams): Condition[] {
  const c: Condition[] = [];
  if (params.session !== undefined) c.push(['session_id = ?', params.session]);
  if (params.since !== undefined) c.push(['first_seen >= ?', params.since]);
  if (params.until !== undefined) c.push(['first_seen < ?', params.until]);
  if (params.ip !== undefined) c.push(['src_ip = ?', params.ip]);
  if (params.flagged === true) c.push(['(vt_flagged <> 0 OR dshield_flagged <> 0)']);
  return c;
}

/** Per session, from `session_summary`: newest first seen first. */
export const cowrieSessionsReport: ReportDefinition = {
  name: 'sessions',
  summary: 'per session: first/last seen, duration, source, logins, commands, downloads, flags; newest first',
  example: 'sluice report sessions --profile cowrie --db cowrie.db --since 2025-01-01 --ip 203.0.113.7 --flagged',
  options: { limit: 50, timeRange: true, ip: true, flagged: true },
  chart: { kind: 'bars', values: ['login_attempts', 'commands', 'downloads'], label: ['session_id'] },
  columns: () => [
    { name: 'session_id', kind: 'text' },
    { name: 'first_seen', kind: 'text' },
    { name: 'last_seen', kind: 'text' },
    { name: 'duration_s', kind: 'seconds' },
    { name: 'src_ip', kind: 'text' },
    { name: 'protocol', kind: 'text' },
    { name: 'sensor', kind: 'text' },
    { name: 'client_version', kind: 'text' },
    { name: 'login_attempts', kind: 'integer' },
    { name: 'login_success', kind: 'integer' },
    { name: 'username', kind: 'text' },
    { name: 'password', kind: 'text' },
    { name: 'commands', kind: 'integer' },
    { name: 'downloads', kind: 'integer' },
    { name: 'vt_flagged', kind: 'integer' },
    { name: 'dshield_flagged', kind: 'integer' },
    { name: 'matcher', kind: 'text' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = whereOf(sessionConditions(params));
    return {
      sql: `SELECT session_id, first_seen, last_seen, ${roundedAs(d, 'duration_sec', 3, 'duration_s')}, src_ip, protocol, sensor,
          client_version, login_attempts, login_success, username, password, command_count AS commands,
          download_count AS downloads, vt_flagged, dshield_flagged, matcher
        FROM session_summary ${w.sql}
        ORDER BY ${descending(d, bytewise(d, 'first_seen'))}, ${textOrder(d, 'session_id')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
    };
  },
};

/** SQLite: the period a first_seen falls in: the day, the Monday that starts its week, or the month. */
const PERIOD_SQL: Readonly<Record<string, string>> = {
  daily: 'substr(first_seen, 1, 10)',
  weekly: "date(substr(first_seen, 1, 10), '-6 days', 'weekday 1')",
  monthly: 'substr(first_seen, 1, 7)',
};

/**
 * PostgreSQL: the period of a `day` (`YYYY-MM-DD`, the first ten characters of first_seen). The week
 * is the Monday on or before it (`isodow` 1), as SQLite's `date(day, '-6 days', 'weekday 1')`; a day
 * that is no date has no week in either (NULL, not an error).
 */
const PG_PERIOD_OF_DAY: Readonly<Record<string, string>> = {
  daily: 'day',
  weekly: `CASE WHEN day ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN to_char(CAST(day AS DATE)
      - CAST(extract(isodow FROM CAST(day AS DATE)) AS INTEGER) + 1, 'YYYY-MM-DD') END`,
  monthly: 'substr(day, 1, 7)',
};

/**
 * The summary in PostgreSQL, in steps: per (day, source IP) first, a hashed grouping on short keys;
 * the period of each distinct day (a few dozen: the week's date arithmetic runs once a day, not once
 * a session); then per period, counting the distinct IPs. In one step, as in SQLite, count(DISTINCT)
 * sorts every session and the week is computed for each: 2-3x slower. A day that is NULL or no date
 * finds no period (LEFT JOIN): NULL, as in SQLite.
 */
function pgSummarySql(period: string, where: string): string {
  return `WITH per_day_ip AS (
      SELECT substr(first_seen, 1, 10) AS day, src_ip, count(*) AS sessions,
        sum(login_attempts) AS login_attempts, sum(login_success) AS login_successes,
        sum(command_count) AS commands, sum(download_count) AS downloads,
        count(CASE WHEN vt_flagged <> 0 OR dshield_flagged <> 0 THEN 1 END) AS flagged
      FROM session_metrics ${where}
      GROUP BY 1, 2
    ), periods AS (
      SELECT day, ${PG_PERIOD_OF_DAY[period] ?? 'day'} AS period FROM (SELECT DISTINCT day FROM per_day_ip) AS days
    )
    SELECT * FROM (
      SELECT periods.period, sum(sessions) AS sessions, count(DISTINCT src_ip) AS unique_ips,
        sum(login_attempts) AS login_attempts, sum(login_successes) AS login_successes,
        sum(commands) AS commands, sum(downloads) AS downloads, sum(flagged) AS flagged
      FROM per_day_ip LEFT JOIN periods ON periods.day = per_day_ip.day
      GROUP BY 1) AS summary
    ORDER BY period COLLATE "C" NULLS FIRST
    LIMIT ?`;
}

/** Per day, week (starting Monday) or month of first_seen, from `session_metrics`. */
export const cowrieSummaryReport: ReportDefinition = {
  name: 'summary',
  summary: 'per day/week/month of first seen: sessions, unique IPs, logins, commands, downloads, flagged',
  example: 'sluice report summary --profile cowrie --db cowrie.db --period weekly',
  options: { period: { choices: ['daily', 'weekly', 'monthly'], default: 'daily' }, timeRange: true, ip: true },
  chart: { kind: 'series', time: 'period', values: ['sessions', 'unique_ips', 'commands', 'downloads'] },
  columns: () => [
    { name: 'period', kind: 'text' },
    { name: 'sessions', kind: 'integer' },
    { name: 'unique_ips', kind: 'integer' },
    { name: 'login_attempts', kind: 'integer' },
    { name: 'login_successes', kind: 'integer' },
    { name: 'commands', kind: 'integer' },
    { name: 'downloads', kind: 'integer' },
    { name: 'flagged', kind: 'integer' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = whereOf(sessionConditions(params));
    const args = [...w.args, limitArg(d, params)];
    // Daily over every session: the sums kept per (day, IP) (migration 8), one row per distinct IP of a day.
    if ((params.period ?? 'daily') === 'daily' && w.sql === '' && (await hasTable(reader, 'day_ip_sessions'))) {
      return {
        sql: `SELECT period, sessions, unique_ips, login_attempts, login_successes, commands, downloads, flagged FROM (
            SELECT CASE WHEN day_null = 1 THEN NULL ELSE day_key END AS period, sum(sessions) AS sessions,
              count(CASE WHEN ip_null = 0 THEN 1 END) AS unique_ips, sum(login_attempts) AS login_attempts,
              sum(login_successes) AS login_successes, sum(commands) AS commands, sum(downloads) AS downloads,
              sum(flagged) AS flagged
            FROM day_ip_sessions
            GROUP BY day_null, day_key) AS per_day
          ORDER BY ${textOrder(d, 'period')}
          LIMIT ?`,
        args,
      };
    }
    if (d === 'postgres') return { sql: pgSummarySql(params.period ?? 'daily', w.sql), args };
    const period = PERIOD_SQL[params.period ?? 'daily'] ?? 'substr(first_seen, 1, 10)';
    return {
      sql: `SELECT ${period} AS period, count(*) AS sessions, count(DISTINCT src_ip) AS unique_ips,
          sum(login_attempts) AS login_attempts, sum(login_success) AS login_successes,
          sum(command_count) AS commands, sum(download_count) AS downloads,
          count(CASE WHEN vt_flagged <> 0 OR dshield_flagged <> 0 THEN 1 END) AS flagged
        FROM session_metrics ${w.sql}
        GROUP BY period
        ORDER BY period
        LIMIT ?`,
      args,
    };
  },
};

/** Most frequent command inputs, from `command_counts` (migration 6), or from `session_commands` for one session. */
export const cowrieTopCommandsReport: ReportDefinition = {
  name: 'top_commands',
  summary: 'most frequent command inputs: times run and in how many sessions',
  example: 'sluice report top-commands --profile cowrie --db cowrie.db --limit 20',
  options: { limit: 20 },
  chart: { kind: 'bars', values: ['times'] },
  columns: () => [
    { name: 'input', kind: 'text' },
    { name: 'times', kind: 'integer' },
    { name: 'sessions', kind: 'integer' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    // Over every session, the counts kept with the rows (migration 6) are the answer; a database
    // written before them (not yet reopened by a writer) is counted from its commands.
    if (params.session === undefined && (await hasTable(reader, 'command_counts'))) {
      return {
        sql: `SELECT input, times, sessions FROM command_counts
          ORDER BY times DESC, ${textOrder(d, 'input')}
          LIMIT ?`,
        args: [limitArg(d, params)],
      };
    }
    const w = whereOf(params.session !== undefined ? [['session_id = ?', params.session]] : []);
    // PostgreSQL counts the sessions of an input after a grouping per (input, session): count(DISTINCT)
    // would sort every command; SQLite reads them in order off its (input, session_id) index.
    if (d === 'sqlite') {
      return {
        sql: `SELECT input, count(*) AS times, count(DISTINCT session_id) AS sessions FROM session_commands ${w.sql} GROUP BY input
          ORDER BY times DESC, ${textOrder(d, 'input')}
          LIMIT ?`,
        args: [...w.args, limitArg(d, params)],
      };
    }
    // PostgreSQL's index leaves out the long inputs: they are read apart, through their own index.
    const short = whereOf([[SHORT_INPUT], ...sessionOnly(params)]);
    const long = whereOf([[LONG_INPUT], ...sessionOnly(params)]);
    return {
      sql: `SELECT input, sum(n) AS times, count(*) AS sessions
        FROM (SELECT input, session_id, count(*) AS n
          FROM (SELECT input, session_id FROM session_commands ${short.sql}
            UNION ALL SELECT input, session_id FROM session_commands ${long.sql}) AS commands
          GROUP BY input, session_id) AS per_session
        GROUP BY input
        ORDER BY times DESC, ${textOrder(d, 'input')}
        LIMIT ?`,
      args: [...short.args, ...long.args, limitArg(d, params)],
    };
  },
};

/** Per source address, from `session_metrics`. */
export const cowrieTopIpsReport: ReportDefinition = {
  name: 'top_ips',
  summary: 'per source IP: sessions, login attempts, commands, downloads, first/last seen; most sessions first',
  example: 'sluice report top-ips --profile cowrie --db cowrie.db --since 2025-01-01 --limit 20',
  options: { limit: 20, timeRange: true },
  chart: { kind: 'bars', values: ['sessions'], label: ['src_ip'] },
  columns: () => [
    { name: 'src_ip', kind: 'text' },
    { name: 'sessions', kind: 'integer' },
    { name: 'login_attempts', kind: 'integer' },
    { name: 'commands', kind: 'integer' },
    { name: 'downloads', kind: 'integer' },
    { name: 'first_seen', kind: 'text' },
    { name: 'last_seen', kind: 'text' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = whereOf(sessionConditions(params));
    // Over every session: the sums kept per IP (migration 8).
    if (w.sql === '' && (await hasTable(reader, 'ip_sessions'))) {
      return {
        sql: `SELECT src_ip, sessions, login_attempts, commands, downloads, first_seen, last_seen FROM (
            SELECT CASE WHEN ip_null = 1 THEN NULL ELSE ip_key END AS src_ip, sessions, login_attempts, commands,
              downloads, first_seen, last_seen
            FROM ip_sessions) AS per_ip
          ORDER BY sessions DESC, ${descending(d, 'commands')}, ${textOrder(d, 'src_ip')}
          LIMIT ?`,
        args: [limitArg(d, params)],
      };
    }
    // `+src_ip`: walking the src_ip index in group order costs a row lookup per session, twice the
    // time of a scan and a sort of 120,000 sessions.
    return {
      sql: `SELECT src_ip, count(*) AS sessions, sum(login_attempts) AS login_attempts, sum(command_count) AS commands,
          sum(download_count) AS downloads, min(${bytewise(d, 'first_seen')}) AS first_seen,
          max(${bytewise(d, 'last_seen')}) AS last_seen
        FROM session_metrics ${w.sql}
        GROUP BY ${noIndex(d, 'src_ip')}
        ORDER BY sessions DESC, ${descending(d, 'commands')}, ${textOrder(d, 'src_ip')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
    };
  },
};

/** Whether the database has `table` (in PostgreSQL: on the reader's search path). */
async function hasTable(reader: ReportReader, table: string): Promise<boolean> {
  const sql =
    reader.dialect === 'sqlite'
      ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
      : 'SELECT 1 WHERE to_regclass(?) IS NOT NULL';
  return (await reader.one(sql, [table])) !== undefined;
}

/** `--session` alone, for the reports over one table of events or commands. */
function sessionOnly(params: ReportParams): Condition[] {
  return params.session !== undefined ? [['session_id = ?', params.session]] : [];
}

/** Username/password pairs tried, from `credential_counts` (migration 6), or from the login events of `cowrie_events` for one session. */
export const cowrieCredentialsReport: ReportDefinition = {
  name: 'credentials',
  summary: 'username/password pairs tried: attempts, successes, sessions; most attempts first',
  example: 'sluice report credentials --profile cowrie --db cowrie.db --limit 20',
  options: { limit: 20 },
  chart: { kind: 'bars', values: ['attempts'] },
  columns: () => [
    { name: 'username', kind: 'text' },
    { name: 'password', kind: 'text' },
    { name: 'attempts', kind: 'integer' },
    { name: 'successes', kind: 'integer' },
    { name: 'sessions', kind: 'integer' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    // As top_commands: the counts kept with the rows (migration 6), else the login events.
    if (params.session === undefined && (await hasTable(reader, 'credential_counts'))) {
      return {
        sql: `SELECT username, password, attempts, successes, sessions FROM credential_counts
          ORDER BY attempts DESC, successes DESC, ${textOrder(d, 'username')}, ${textOrder(d, 'password')}
          LIMIT ?`,
        args: [limitArg(d, params)],
      };
    }
    const w = whereOf([[LOGIN_EVENTS], ...sessionOnly(params)]);
    // PostgreSQL's index leaves out the long credentials: they are read apart, through their own index.
    const short = whereOf([[LOGIN_EVENTS], [SHORT_CREDENTIALS], ...sessionOnly(params)]);
    const long = whereOf([[LOGIN_EVENTS], [LONG_CREDENTIALS], ...sessionOnly(params)]);
    // As top_commands: PostgreSQL groups per session first (count(session_id) skips the NULL one, as
    // count(DISTINCT session_id) does).
    const counted =
      d === 'sqlite'
        ? `SELECT username, password, count(*) AS attempts,
          count(CASE WHEN eventid = 'cowrie.login.success' THEN 1 END) AS successes,
          count(DISTINCT session_id) AS sessions
        FROM cowrie_events ${w.sql}
        GROUP BY username, password`
        : `SELECT username, password, sum(n) AS attempts, sum(ok) AS successes, count(session_id) AS sessions
        FROM (SELECT username, password, session_id, count(*) AS n,
            count(CASE WHEN eventid = 'cowrie.login.success' THEN 1 END) AS ok
          FROM (SELECT username, password, session_id, eventid FROM cowrie_events ${short.sql}
            UNION ALL SELECT username, password, session_id, eventid FROM cowrie_events ${long.sql}) AS logins
          GROUP BY username, password, session_id) AS per_session
        GROUP BY username, password`;
    return {
      sql: `${counted}
        ORDER BY attempts DESC, successes DESC, ${textOrder(d, 'username')}, ${textOrder(d, 'password')}
        LIMIT ?`,
      args: [...(d === 'sqlite' ? w.args : [...short.args, ...long.args]), limitArg(d, params)],
    };
  },
};

/** Files downloaded, per (url, shasum), from `session_downloads`. */
export const cowrieDownloadsReport: ReportDefinition = {
  name: 'downloads',
  summary: 'per (url, shasum): downloads, sessions, first/last seen; most downloaded first',
  example: 'sluice report downloads --profile cowrie --db cowrie.db --limit 20',
  options: { limit: 50 },
  chart: { kind: 'bars', values: ['downloads'], label: ['url'] },
  columns: () => [
    { name: 'url', kind: 'text' },
    { name: 'shasum', kind: 'text' },
    { name: 'downloads', kind: 'integer' },
    { name: 'sessions', kind: 'integer' },
    { name: 'first_seen', kind: 'text' },
    { name: 'last_seen', kind: 'text' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const w = whereOf(params.session !== undefined ? [['session_id = ?', params.session]] : []);
    return {
      sql: `SELECT url, shasum, count(*) AS downloads, count(DISTINCT session_id) AS sessions,
          min(${bytewise(d, 'timestamp')}) AS first_seen, max(${bytewise(d, 'timestamp')}) AS last_seen
        FROM session_downloads ${w.sql}
        GROUP BY url, shasum
        ORDER BY downloads DESC, ${textOrder(d, 'url', 'last')}, ${textOrder(d, 'shasum', 'last')}
        LIMIT ?`,
      args: [...w.args, limitArg(d, params)],
    };
  },
};

/** The reports of the cowrie profile, each one SQL statement over the session tables kept with the events (per batch in SQLite, by a statement trigger in PostgreSQL). */
export const COWRIE_REPORTS: ProfileReports = {
  table: 'cowrie_events',
  sessionColumn: 'session_id',
  indexes: ['session_metrics_first_seen', 'session_metrics_src_ip', 'session_commands_input', 'cowrie_events_login'],
  reports: [
    cowrieSessionsReport,
    cowrieSummaryReport,
    cowrieTopCommandsReport,
    cowrieTopIpsReport,
    cowrieCredentialsReport,
    cowrieDownloadsReport,
  ],
};
