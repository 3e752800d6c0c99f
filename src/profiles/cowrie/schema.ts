import type { ColumnSpec, TableSpec } from '../../core/rows/table-spec.js';
import type { Migration } from '../../db/sqlite/migration.js';
import {
  COMMAND_COUNTS_BUILD_SQL,
  COMMAND_COUNTS_TABLE_SQL,
  CREDENTIAL_COUNTS_BUILD_SQL,
  CREDENTIAL_COUNTS_TABLE_SQL,
} from './report-counts-sql.js';
import { matcherRankSql } from './session-matchers.js';
import { SESSION_REPORT_TABLES_SQLITE } from './session-report-tables.js';

const text = (name: string, description: string): ColumnSpec => ({ name, kind: 'text', sqlType: 'TEXT', description });
const real = (name: string, description: string): ColumnSpec => ({ name, kind: 'number', sqlType: 'REAL', description });

/**
 * Every Cowrie event, unique on a key derived from its content, so the same log ingested twice (or
 * under another file name, as rotation renames it) adds nothing. Session tables are kept once per
 * batch from the events it really inserted, in the same transaction (`COWRIE_SESSION_BATCH_SQL`), so
 * the metrics are never recomputed by scanning and never counted twice.
 */
export const COWRIE_EVENTS_TABLE: TableSpec = {
  name: 'cowrie_events',
  uniqueKey: ['event_key'],
  columns: [
    text('event_key', 'sha256 (first 32 hex) of the event as logged.'),
    text('session_id', 'Session the event belongs to; NULL when no matcher could place it (kept and counted).'),
    text('matcher', 'full_delimited, session_id_only or event_session.'),
    text('eventid', 'cowrie.session.connect, cowrie.command.input, ...'),
    text('timestamp', 'Event time (ISO).'),
    text('src_ip', 'Source address.'),
    text('sensor', 'Honeypot sensor.'),
    text('protocol', 'ssh or telnet.'),
    text('username', 'Login name tried.'),
    text('password', 'Password tried.'),
    text('input', 'Command input.'),
    text('url', 'Download URL.'),
    text('shasum', 'SHA-256 of a downloaded file.'),
    real('duration_sec', 'Session duration on cowrie.session.closed (number, "88.7" or HH:MM:SS).'),
    text('version', 'Client version string.'),
    text('message', 'Cowrie message.'),
    text('raw_json', 'The whole event.'),
  ],
};

/** Migration 4 in both sinks (the schema versions compare equal): SQLite drops its row trigger. */
export const SESSION_TABLES_PER_BATCH = 'session tables kept once per batch over its new events, not by a trigger per event';

/** Migration 5 in both sinks: PostgreSQL indexes the long texts its report indexes leave out; SQLite has none left out. */
export const LONG_TEXTS_INDEXED = 'long command inputs and credentials indexed apart (PostgreSQL)';

/** Migration 6 in both sinks: the counts `top_commands` and `credentials` read, kept with the rows. */
export const REPORT_COUNTS_KEPT = 'per-input command and per-credential login counts kept with the rows, for top_commands and credentials';

/** Migration 8 in both sinks: the per-(day, IP) and per-IP session sums `summary` and `top_ips` read, kept by triggers on session_metrics. */
export const SESSION_REPORT_TABLES_KEPT = 'session sums per (day, source IP) and per source IP kept with session_metrics, for summary and top_ips';

/** Migration 7 in both sinks: PostgreSQL indexes sessions in the sessions report's order; SQLite has it already. */
export const SESSIONS_NEWEST_INDEXED = 'sessions indexed newest first, as the sessions report orders them (PostgreSQL)';

const RANK = matcherRankSql;

export const COWRIE_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'cowrie events, per-session metrics and commands kept by triggers',
    up(db) {
      db.exec(`
CREATE TABLE IF NOT EXISTS cowrie_events (
  id INTEGER PRIMARY KEY,
  ${COWRIE_EVENTS_TABLE.columns.map((c) => `${c.name} ${c.sqlType}`).join(',\n  ')}
);
CREATE UNIQUE INDEX IF NOT EXISTS cowrie_events_key ON cowrie_events(ifnull(timestamp, ''), event_key);
CREATE INDEX IF NOT EXISTS cowrie_events_session ON cowrie_events(session_id);

CREATE TABLE IF NOT EXISTS session_metrics (
  session_id TEXT PRIMARY KEY,
  matcher TEXT NOT NULL,
  first_seen TEXT,
  last_seen TEXT,
  closed_duration_sec REAL,
  src_ip TEXT,
  protocol TEXT,
  sensor TEXT,
  client_version TEXT,
  event_count INTEGER NOT NULL DEFAULT 0,
  command_count INTEGER NOT NULL DEFAULT 0,
  login_attempts INTEGER NOT NULL DEFAULT 0,
  login_success INTEGER NOT NULL DEFAULT 0,
  username TEXT,
  password TEXT,
  download_count INTEGER NOT NULL DEFAULT 0,
  vt_flagged INTEGER NOT NULL DEFAULT 0,
  dshield_flagged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS session_metrics_first_seen ON session_metrics(first_seen);
CREATE INDEX IF NOT EXISTS session_metrics_src_ip ON session_metrics(src_ip);

CREATE TABLE IF NOT EXISTS session_commands (
  event_id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  timestamp TEXT,
  input TEXT
);
CREATE INDEX IF NOT EXISTS session_commands_session ON session_commands(session_id);

CREATE TABLE IF NOT EXISTS session_downloads (
  event_id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  timestamp TEXT,
  url TEXT,
  shasum TEXT
);
CREATE INDEX IF NOT EXISTS session_downloads_shasum ON session_downloads(shasum);

CREATE TRIGGER IF NOT EXISTS cowrie_events_session_metrics AFTER INSERT ON cowrie_events
WHEN NEW.session_id IS NOT NULL
BEGIN
  INSERT INTO session_metrics (session_id, matcher, first_seen, last_seen, closed_duration_sec, src_ip, protocol, sensor,
    client_version, event_count, command_count, login_attempts, login_success, username, password, download_count)
  VALUES (NEW.session_id, NEW.matcher, NEW.timestamp, NEW.timestamp, NEW.duration_sec, NEW.src_ip, NEW.protocol, NEW.sensor,
    NEW.version, 1,
    NEW.eventid = 'cowrie.command.input',
    NEW.eventid IN ('cowrie.login.failed', 'cowrie.login.success'),
    NEW.eventid = 'cowrie.login.success',
    CASE WHEN NEW.eventid = 'cowrie.login.success' THEN NEW.username END,
    CASE WHEN NEW.eventid = 'cowrie.login.success' THEN NEW.password END,
    NEW.eventid = 'cowrie.session.file_download')
  ON CONFLICT (session_id) DO UPDATE SET
    matcher = CASE WHEN ${RANK('excluded.matcher')} < ${RANK('session_metrics.matcher')} THEN excluded.matcher ELSE session_metrics.matcher END,
    first_seen = min(coalesce(session_metrics.first_seen, excluded.first_seen), coalesce(excluded.first_seen, session_metrics.first_seen)),
    last_seen = max(coalesce(session_metrics.last_seen, excluded.last_seen), coalesce(excluded.last_seen, session_metrics.last_seen)),
    closed_duration_sec = coalesce(excluded.closed_duration_sec, session_metrics.closed_duration_sec),
    src_ip = coalesce(session_metrics.src_ip, excluded.src_ip),
    protocol = coalesce(session_metrics.protocol, excluded.protocol),
    sensor = coalesce(session_metrics.sensor, excluded.sensor),
    client_version = coalesce(session_metrics.client_version, excluded.client_version),
    event_count = session_metrics.event_count + 1,
    command_count = session_metrics.command_count + excluded.command_count,
    login_attempts = session_metrics.login_attempts + excluded.login_attempts,
    login_success = max(session_metrics.login_success, excluded.login_success),
    username = coalesce(excluded.username, session_metrics.username),
    password = coalesce(excluded.password, session_metrics.password),
    download_count = session_metrics.download_count + excluded.download_count;
  INSERT INTO session_commands (event_id, session_id, timestamp, input)
    SELECT NEW.id, NEW.session_id, NEW.timestamp, NEW.input WHERE NEW.eventid = 'cowrie.command.input';
  INSERT INTO session_downloads (event_id, session_id, timestamp, url, shasum)
    SELECT NEW.id, NEW.session_id, NEW.timestamp, NEW.url, NEW.shasum WHERE NEW.eventid = 'cowrie.session.file_download';
END;

-- Duration from cowrie.session.closed, else last seen minus first seen.
CREATE VIEW IF NOT EXISTS session_summary AS
SELECT *, coalesce(closed_duration_sec, (julianday(last_seen) - julianday(first_seen)) * 86400.0) AS duration_sec
FROM session_metrics;`);
    },
  },
  {
    version: 2,
    description: 'indexes for the cowrie reports (top-commands, credentials)',
    up(db) {
      // Both are covering, so their reports read in group order without a sort. The credentials index
      // is partial: only login events pay for it at ingest.
      db.exec(`
CREATE INDEX IF NOT EXISTS session_commands_input ON session_commands(input, session_id);
CREATE INDEX IF NOT EXISTS cowrie_events_login ON cowrie_events(username, password, eventid, session_id)
  WHERE eventid IN ('cowrie.login.failed', 'cowrie.login.success');`);
    },
  },
  // Version 3 (not 2): version 2 holds the report indexes, written in parallel.
  {
    version: 3,
    description: 'enrichment cache (VirusTotal, DShield answers with fetch time)',
    up(db) {
      db.exec(`
CREATE TABLE IF NOT EXISTS enrichment_cache (
  service TEXT NOT NULL,
  key TEXT NOT NULL,
  flagged INTEGER NOT NULL,
  response_json TEXT,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (service, key)
);`);
    },
  },
  {
    version: 4,
    description: SESSION_TABLES_PER_BATCH,
    up(db) {
      // The trigger's work moves to one set-based upsert per batch, with the same result: a per-event
      // upsert into session_metrics was most of the writer's time.
      db.exec('DROP TRIGGER IF EXISTS cowrie_events_session_metrics');
    },
  },
  {
    version: 5,
    description: LONG_TEXTS_INDEXED,
    // SQLite's indexes hold texts of any length: nothing to add; the number keeps the versions alike.
    up() {},
  },
  {
    version: 6,
    description: REPORT_COUNTS_KEPT,
    // Built from the rows already there (nothing in a new database), then kept once per batch
    // (COWRIE_COUNTS_BATCH_SQL).
    up(db) {
      db.exec(`${COMMAND_COUNTS_TABLE_SQL}${CREDENTIAL_COUNTS_TABLE_SQL}${COMMAND_COUNTS_BUILD_SQL}${CREDENTIAL_COUNTS_BUILD_SQL}`);
    },
  },
  {
    version: 7,
    description: SESSIONS_NEWEST_INDEXED,
    // SQLite reads the sessions report off session_metrics_first_seen (its texts compare bytewise):
    // nothing to add; the number keeps the versions alike.
    up() {},
  },
  {
    version: 8,
    description: SESSION_REPORT_TABLES_KEPT,
    // Built from the sessions already there, then kept by row triggers on session_metrics (fired
    // once per session a batch changes, and by enrich's flag updates).
    up(db) {
      db.exec(SESSION_REPORT_TABLES_SQLITE);
    },
  },
];
