import { LOGIN_EVENTS } from './indexed-text.js';

/**
 * The counts behind `top_commands` and `credentials` in SQLite, kept once per batch in the batch's
 * transaction (after the session tables), as the session tables are: each report then reads a few
 * hundred rows instead of grouping every command (300,000 for 1M events) or login (190,000).
 *
 * - `command_counts`: per command input, as `top_commands` counts `session_commands`: times run and
 *   in how many sessions;
 * - `credential_counts`: per (username, password), as `credentials` counts the login events of
 *   `cowrie_events` (those without a session too): attempts, successes and sessions.
 *
 * A session counts for an input (a pair) in the batch that brings its first command with that input
 * (first login with that pair): none of its earlier rows has it, which the report indexes answer by a
 * seek (`session_commands_input`, `cowrie_events_login`). "Earlier" is a rowid below `$first_rowid`:
 * the batch's rows are the newest and no other writer inserts inside the transaction. Duplicates are
 * in no batch (the sink inserts them into nothing), and a batch rolled back takes its counts with it.
 *
 * A NULL text is a group of its own in the reports (GROUP BY), but NULLs never conflict in a unique
 * index: the key of a NULL is the empty blob, which equals no text (SQLite compares a blob with a text
 * as unequal, whatever their bytes), so `input_key` is the text itself or x''.
 */
export const COMMAND_COUNTS_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS command_counts (
  input_key PRIMARY KEY,
  input TEXT,
  times INTEGER NOT NULL,
  sessions INTEGER NOT NULL
);`;

export const CREDENTIAL_COUNTS_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS credential_counts (
  username_key NOT NULL,
  password_key NOT NULL,
  username TEXT,
  password TEXT,
  attempts INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  sessions INTEGER NOT NULL,
  PRIMARY KEY (username_key, password_key)
);`;

/** `command_counts` from the rows already in `session_commands` (migration 6 over an existing database). */
export const COMMAND_COUNTS_BUILD_SQL = `
INSERT INTO command_counts (input_key, input, times, sessions)
SELECT ifnull(input, x''), input, count(*), count(DISTINCT session_id) FROM session_commands GROUP BY input;`;

/** `credential_counts` from the login events already in `cowrie_events` (migration 6). */
export const CREDENTIAL_COUNTS_BUILD_SQL = `
INSERT INTO credential_counts (username_key, password_key, username, password, attempts, successes, sessions)
SELECT ifnull(username, x''), ifnull(password, x''), username, password, count(*),
  count(CASE WHEN eventid = 'cowrie.login.success' THEN 1 END), count(DISTINCT session_id)
FROM cowrie_events WHERE ${LOGIN_EVENTS} GROUP BY username, password;`;

/** The batch's new commands (run after `session_commands` took them) into `command_counts`. */
const COMMAND_COUNTS_BATCH_SQL = `
INSERT INTO command_counts (input_key, input, times, sessions)
SELECT ifnull(input, x''), input, sum(n),
  sum(NOT EXISTS (SELECT 1 FROM session_commands AS c
    WHERE c.input IS b.input AND c.session_id = b.session_id AND c.event_id < $first_rowid))
FROM (SELECT input, session_id, count(*) AS n FROM session_commands
  WHERE event_id BETWEEN $first_rowid AND $last_rowid GROUP BY input, session_id) AS b
WHERE true -- an upsert's SELECT needs a WHERE, else SQLite reads ON CONFLICT as a join's ON
GROUP BY input
ON CONFLICT (input_key) DO UPDATE SET times = times + excluded.times, sessions = sessions + excluded.sessions`;

/** The batch's new login events into `credential_counts`. */
const CREDENTIAL_COUNTS_BATCH_SQL = `
INSERT INTO credential_counts (username_key, password_key, username, password, attempts, successes, sessions)
SELECT ifnull(username, x''), ifnull(password, x''), username, password, sum(n), sum(ok),
  sum(session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cowrie_events AS e
    WHERE e.${LOGIN_EVENTS} AND e.username IS b.username AND e.password IS b.password
      AND e.session_id = b.session_id AND e.id < $first_rowid))
FROM (SELECT username, password, session_id, count(*) AS n, sum(eventid = 'cowrie.login.success') AS ok
  FROM cowrie_events WHERE id BETWEEN $first_rowid AND $last_rowid AND ${LOGIN_EVENTS}
  GROUP BY username, password, session_id) AS b
WHERE true -- an upsert's SELECT needs a WHERE, else SQLite reads ON CONFLICT as a join's ON
GROUP BY username, password
ON CONFLICT (username_key, password_key) DO UPDATE SET attempts = attempts + excluded.attempts,
  successes = successes + excluded.successes, sessions = sessions + excluded.sessions`;

/** The statements, in order, that bring the report counts up to a batch (after `COWRIE_SESSION_BATCH_SQL`). */
export const COWRIE_COUNTS_BATCH_SQL: readonly string[] = [COMMAND_COUNTS_BATCH_SQL, CREDENTIAL_COUNTS_BATCH_SQL];
