import { matcherRankSql } from './session-matchers.js';

/**
 * How the SQLite sink keeps the session tables: once per batch, in the batch's transaction, over the
 * events the batch really inserted (rowids `$first_rowid`..`$last_rowid`; duplicates are not in it).
 * One set-based upsert per batch instead of the per-row trigger `cowrie_events_session_metrics` it
 * replaces (migration 4), with the same result, row for row and rowid for rowid: merging a batch's
 * events into a session gives what the trigger gave event after event, in insertion order (`id`):
 * - the matcher of the best rank (a batch's events carry only the three of `matchSession`, one per rank);
 * - first/last seen as min/max of the ISO texts (NULLs left out);
 * - `closed_duration_sec`, and username and password of a success: the last non-null one;
 * - source IP, protocol, sensor, client version: the first non-null one;
 * - counts added; `login_success` a max (0/1).
 * "First"/"last" name an event by id, and its value is read back by rowid: SQLite 3.40 (the sqlite3
 * shell of the benchmark's reference, which runs this same SQL) has no ordered aggregates. New sessions
 * are inserted in the order of their first event, so `session_metrics` rowids are the trigger's too.
 * An event with a session but no `eventid` changes no session table, as under the trigger (its NULL
 * counters broke a NOT NULL constraint, which the sink's `INSERT OR IGNORE` skipped).
 */
const RANK = matcherRankSql;

const IN_BATCH = 'id BETWEEN $first_rowid AND $last_rowid AND session_id IS NOT NULL';
const valueOf = (column: string, idColumn: string): string => `(SELECT ${column} FROM cowrie_events WHERE id = b.${idColumn})`;
/**
 * A session's first non-null `column` in the batch: its first event's, which holds it nearly always (a
 * read of a row already joined), else the next event's with one by the session index.
 */
const firstOf = (column: string): string =>
  `coalesce(f.${column}, (SELECT ${column} FROM cowrie_events WHERE session_id = b.session_id AND id > b.first_id ` +
  `AND id <= $last_rowid AND eventid IS NOT NULL AND ${column} IS NOT NULL ORDER BY id LIMIT 1))`;
const SUCCESS = "eventid = 'cowrie.login.success'";

/**
 * How a batch's row of a session merges into the row already there (`ON CONFLICT (session_id) …`):
 * what merging the batch's events one after another gives (see above). The batch's summary
 * (session-batch-summary.ts) merges with it too.
 */
export const SESSION_METRICS_MERGE = `DO UPDATE SET
  matcher = CASE WHEN ${RANK('excluded.matcher')} < ${RANK('session_metrics.matcher')} THEN excluded.matcher ELSE session_metrics.matcher END,
  first_seen = min(coalesce(session_metrics.first_seen, excluded.first_seen), coalesce(excluded.first_seen, session_metrics.first_seen)),
  last_seen = max(coalesce(session_metrics.last_seen, excluded.last_seen), coalesce(excluded.last_seen, session_metrics.last_seen)),
  closed_duration_sec = coalesce(excluded.closed_duration_sec, session_metrics.closed_duration_sec),
  src_ip = coalesce(session_metrics.src_ip, excluded.src_ip),
  protocol = coalesce(session_metrics.protocol, excluded.protocol),
  sensor = coalesce(session_metrics.sensor, excluded.sensor),
  client_version = coalesce(session_metrics.client_version, excluded.client_version),
  event_count = session_metrics.event_count + excluded.event_count,
  command_count = session_metrics.command_count + excluded.command_count,
  login_attempts = session_metrics.login_attempts + excluded.login_attempts,
  login_success = max(session_metrics.login_success, excluded.login_success),
  username = coalesce(excluded.username, session_metrics.username),
  password = coalesce(excluded.password, session_metrics.password),
  download_count = session_metrics.download_count + excluded.download_count`;

const SESSION_METRICS_SQL = `
INSERT INTO session_metrics (session_id, matcher, first_seen, last_seen, closed_duration_sec, src_ip, protocol, sensor,
  client_version, event_count, command_count, login_attempts, login_success, username, password, download_count)
SELECT b.session_id,
  CASE b.rank WHEN 1 THEN 'full_delimited' WHEN 2 THEN 'session_id_only' WHEN 3 THEN 'event_session' END,
  b.first_seen, b.last_seen,
  ${valueOf('duration_sec', 'duration_id')},
  ${firstOf('src_ip')},
  ${firstOf('protocol')},
  ${firstOf('sensor')},
  ${valueOf('version', 'version_id')},
  b.event_count, b.command_count, b.login_attempts, b.login_success,
  ${valueOf('username', 'username_id')},
  ${valueOf('password', 'password_id')},
  b.download_count
FROM (
  SELECT session_id, min(id) AS first_id,
    min(${RANK('matcher')}) AS rank,
    min(timestamp) AS first_seen,
    max(timestamp) AS last_seen,
    max(CASE WHEN duration_sec IS NOT NULL THEN id END) AS duration_id,
    min(CASE WHEN version IS NOT NULL THEN id END) AS version_id,
    count(*) AS event_count,
    sum(eventid = 'cowrie.command.input') AS command_count,
    sum(eventid IN ('cowrie.login.failed', 'cowrie.login.success')) AS login_attempts,
    max(${SUCCESS}) AS login_success,
    max(CASE WHEN ${SUCCESS} AND username IS NOT NULL THEN id END) AS username_id,
    max(CASE WHEN ${SUCCESS} AND password IS NOT NULL THEN id END) AS password_id,
    sum(eventid = 'cowrie.session.file_download') AS download_count
  FROM cowrie_events
  WHERE ${IN_BATCH} AND eventid IS NOT NULL
  GROUP BY session_id
) AS b
JOIN cowrie_events AS f ON f.id = b.first_id
WHERE true
ORDER BY b.first_id
ON CONFLICT (session_id) ${SESSION_METRICS_MERGE}`;

const SESSION_COMMANDS_SQL = `
INSERT OR IGNORE INTO session_commands (event_id, session_id, timestamp, input)
SELECT id, session_id, timestamp, input FROM cowrie_events
WHERE ${IN_BATCH} AND eventid = 'cowrie.command.input'`;

const SESSION_DOWNLOADS_SQL = `
INSERT OR IGNORE INTO session_downloads (event_id, session_id, timestamp, url, shasum)
SELECT id, session_id, timestamp, url, shasum FROM cowrie_events
WHERE ${IN_BATCH} AND eventid = 'cowrie.session.file_download'`;

/** The statements, in order, that bring the session tables up to a batch's new `cowrie_events` rows. */
export const COWRIE_SESSION_BATCH_SQL: readonly string[] = [SESSION_METRICS_SQL, SESSION_COMMANDS_SQL, SESSION_DOWNLOADS_SQL];
