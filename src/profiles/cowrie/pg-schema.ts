import type { PostgresMigration } from '../../db/postgres/postgres-migration.js';
import { pgColumnsDdl } from '../../db/postgres/pg-columns.js';
import { INDEXED_TEXT_BYTES, LOGIN_EVENTS, LONG_CREDENTIALS, LONG_INPUT } from './indexed-text.js';
import { COWRIE_REPORT_COUNTS_PG_SQL } from './pg-report-counts.js';
import { COWRIE_SESSION_TRIGGER_SQL } from './pg-session-trigger.js';
import {
  COWRIE_EVENTS_TABLE,
  LONG_TEXTS_INDEXED,
  REPORT_COUNTS_KEPT,
  SESSION_REPORT_TABLES_KEPT,
  SESSION_TABLES_PER_BATCH,
  SESSIONS_NEWEST_INDEXED,
} from './schema.js';
import { SESSION_REPORT_TABLES_POSTGRES } from './session-report-tables.js';


/**
 * Milliseconds since the epoch of an ISO time, as SQLite's `julianday` reads it (no zone is UTC;
 * fractions rounded to the millisecond), or NULL for what `julianday` would not read either. Never
 * raises: a malformed time in one session must not break a query over all of them.
 */
const ISO_MS_FUNCTION = `
CREATE OR REPLACE FUNCTION cowrie_iso_ms(t TEXT) RETURNS BIGINT
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
  IF t !~ '^\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?\\s*(Z|[+-]\\d{2}:\\d{2})?$' THEN
    RETURN NULL;
  END IF;
  RETURN round(extract(epoch FROM CASE WHEN t ~ '(Z|[+-]\\d{2}:\\d{2})$' THEN t::timestamptz
                                       ELSE t::timestamp AT TIME ZONE 'UTC' END) * 1000);
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
  RETURN NULL;
END
$$;`;

/**
 * The Cowrie tables in PostgreSQL, version for version as in SQLite (`COWRIE_SQLITE_MIGRATIONS`):
 * the same tables, view and index names (the reports check them). Counters and flags stay INTEGER
 * (SQLite holds booleans as 0/1), times stay ISO text as Cowrie writes them. `id` is a `BIGSERIAL`:
 * the sink's staging table is made `LIKE cowrie_events INCLUDING DEFAULTS`, which carries a serial's
 * default but not an identity. Never edit a released migration: add the next number.
 */
export const COWRIE_POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'cowrie events, per-session metrics and commands kept by triggers',
    sql: `
CREATE TABLE IF NOT EXISTS cowrie_events (
  id BIGSERIAL PRIMARY KEY,
  ${pgColumnsDdl(COWRIE_EVENTS_TABLE)}
);
CREATE UNIQUE INDEX IF NOT EXISTS cowrie_events_key ON cowrie_events ((coalesce(timestamp, '')), event_key);
CREATE INDEX IF NOT EXISTS cowrie_events_session ON cowrie_events (session_id);

CREATE TABLE IF NOT EXISTS session_metrics (
  session_id TEXT PRIMARY KEY,
  matcher TEXT NOT NULL,
  first_seen TEXT,
  last_seen TEXT,
  closed_duration_sec DOUBLE PRECISION,
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
CREATE INDEX IF NOT EXISTS session_metrics_first_seen ON session_metrics (first_seen);
CREATE INDEX IF NOT EXISTS session_metrics_src_ip ON session_metrics (src_ip);

CREATE TABLE IF NOT EXISTS session_commands (
  event_id BIGINT PRIMARY KEY,
  session_id TEXT NOT NULL,
  timestamp TEXT,
  input TEXT
);
CREATE INDEX IF NOT EXISTS session_commands_session ON session_commands (session_id);

CREATE TABLE IF NOT EXISTS session_downloads (
  event_id BIGINT PRIMARY KEY,
  session_id TEXT NOT NULL,
  timestamp TEXT,
  url TEXT,
  shasum TEXT
);
CREATE INDEX IF NOT EXISTS session_downloads_shasum ON session_downloads (shasum);
${COWRIE_SESSION_TRIGGER_SQL}
${ISO_MS_FUNCTION}

-- Duration from cowrie.session.closed, else last seen minus first seen (seconds, millisecond precision).
CREATE OR REPLACE VIEW session_summary AS
SELECT *, coalesce(closed_duration_sec, (cowrie_iso_ms(last_seen) - cowrie_iso_ms(first_seen)) / 1000.0::double precision) AS duration_sec
FROM session_metrics;`,
  },
  {
    version: 2,
    description: 'indexes for the cowrie reports (top-commands, credentials)',
    // The columns of SQLite's indexes, but PostgreSQL's btree refuses an entry over 2704 bytes (SQLite
    // has no limit), and these texts are the attacker's: one command of a few KB of base64 or one long
    // password failed the whole batch, every run. Rows with such texts are left out of the indexes
    // (a partial index); a report that wants an index states the same bound in its WHERE.
    sql: `
CREATE INDEX IF NOT EXISTS session_commands_input ON session_commands (input, session_id)
  WHERE octet_length(input) < ${INDEXED_TEXT_BYTES};
CREATE INDEX IF NOT EXISTS cowrie_events_login ON cowrie_events (username, password, eventid, session_id)
  WHERE eventid IN ('cowrie.login.failed', 'cowrie.login.success')
    AND octet_length(coalesce(username, '')) + octet_length(coalesce(password, '')) < ${INDEXED_TEXT_BYTES};`,
  },
  {
    version: 3,
    description: 'enrichment cache (VirusTotal, DShield answers with fetch time)',
    sql: `
CREATE TABLE IF NOT EXISTS enrichment_cache (
  service TEXT NOT NULL,
  key TEXT NOT NULL,
  flagged INTEGER NOT NULL,
  response_json TEXT,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (service, key)
);`,
  },
  {
    version: 4,
    description: SESSION_TABLES_PER_BATCH,
    // PostgreSQL's trigger is already a statement-level one over the inserted rows (pg-session-trigger.ts):
    // nothing to change; the number keeps the versions of both sinks alike.
    sql: 'SELECT 1',
  },
  {
    version: 5,
    description: LONG_TEXTS_INDEXED,
    // The rows migration 2 leaves out of the report indexes (texts too long for a btree entry, and a
    // NULL input), in small indexes of their own: a report reads the short ones through the report
    // index and these through this one, instead of reading the whole table for the few long ones.
    sql: `
CREATE INDEX IF NOT EXISTS cowrie_events_login_long ON cowrie_events (session_id) WHERE ${LOGIN_EVENTS} AND ${LONG_CREDENTIALS};
CREATE INDEX IF NOT EXISTS session_commands_input_long ON session_commands (session_id) WHERE ${LONG_INPUT};`,
  },
  {
    version: 6,
    description: REPORT_COUNTS_KEPT,
    // top_commands grouped 300,000 commands per (input, session) and credentials 190,000 logins per
    // (pair, session) at every page load (0.5-0.9 s on 1M events); they now read a few hundred rows.
    sql: COWRIE_REPORT_COUNTS_PG_SQL,
  },
  {
    version: 7,
    description: SESSIONS_NEWEST_INDEXED,
    // The sessions report orders by first_seen bytewise (COLLATE "C", as SQLite), which the index of
    // migration 1 (the database's collation) cannot give: every page load sorted all sessions for 50
    // (1M events: 123,000 sessions, 170 ms; through this index 14 ms in EXPLAIN ANALYZE).
    sql: `
CREATE INDEX IF NOT EXISTS session_metrics_newest ON session_metrics ((first_seen COLLATE "C") DESC NULLS LAST, (session_id COLLATE "C") NULLS FIRST);`,
  },
  {
    version: 8,
    description: SESSION_REPORT_TABLES_KEPT,
    // summary grouped 123,000 sessions per (day, IP) and top_ips per IP at every page load (1M
    // events: 0.2-0.35 s and 0.1 s in EXPLAIN ANALYZE); they now read the sums kept per key.
    sql: SESSION_REPORT_TABLES_POSTGRES,
  },
];
