import { LOGIN_EVENTS } from './indexed-text.js';

/**
 * The key of a command input in PostgreSQL: a btree entry holds at most 2704 bytes and inputs are the
 * attacker's (a few KB of base64 is common), so the tables are keyed by a digest of the text, not by
 * the text. SHA-256, not MD5: the texts are chosen by attackers, who can make MD5 collide and so merge
 * two inputs' counts. A NULL is its own group (as GROUP BY makes it): `n`, which no `v...` equals.
 */
const inputKey = (input: string): string => `sha256(convert_to(coalesce('v' || ${input}, 'n'), 'UTF8'))`;

/**
 * The key of a (username, password) pair: the user name's length in bytes before it, so no two pairs
 * give the same text (`ab`+`c` and `a`+`bc` differ), and a NULL of either as `n`.
 */
const credentialKey = (username: string, password: string): string =>
  `sha256(convert_to(coalesce(octet_length(${username}) || 'v' || ${username}, 'n') || '|' || coalesce('v' || ${password}, 'n'), 'UTF8'))`;

/**
 * The counts behind `top_commands` and `credentials` in PostgreSQL (migration 6), as SQLite keeps
 * them per batch (`report-counts-sql.ts`): per command input, times run and sessions; per (username,
 * password), attempts, successes and sessions. A statement trigger beside the session trigger keeps
 * them over the events a statement really inserted, in its transaction.
 *
 * "Sessions" is a count of distinct sessions, so each (input, session) and (pair, session) seen is
 * kept too (`command_sessions`, `credential_sessions`): a batch's pair counts for a session only when
 * its insert there is new. An insert that meets another writer's uncommitted same key waits for it
 * and then inserts nothing, so writers side by side (cowrie's are not serialized) never count a
 * session twice, as "not in the rows before" could: each sees only the other's committed rows.
 */
const TABLES_SQL = `
CREATE TABLE IF NOT EXISTS command_counts (
  input_key BYTEA PRIMARY KEY,
  input TEXT,
  times BIGINT NOT NULL,
  sessions BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS command_sessions (
  input_key BYTEA NOT NULL,
  session_id TEXT NOT NULL,
  PRIMARY KEY (input_key, session_id)
);
CREATE TABLE IF NOT EXISTS credential_counts (
  credential_key BYTEA PRIMARY KEY,
  username TEXT,
  password TEXT,
  attempts BIGINT NOT NULL,
  successes BIGINT NOT NULL,
  sessions BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS credential_sessions (
  credential_key BYTEA NOT NULL,
  session_id TEXT NOT NULL,
  PRIMARY KEY (credential_key, session_id)
);`;

/** The tables built from the rows already there: an existing schema's (nothing in a new one). */
const BUILD_SQL = `
INSERT INTO command_sessions (input_key, session_id)
SELECT DISTINCT ${inputKey('input')}, session_id FROM session_commands;
INSERT INTO command_counts (input_key, input, times, sessions)
SELECT ${inputKey('input')}, input, count(*), count(DISTINCT session_id) FROM session_commands GROUP BY input;
INSERT INTO credential_sessions (credential_key, session_id)
SELECT DISTINCT ${credentialKey('username', 'password')}, session_id FROM cowrie_events WHERE ${LOGIN_EVENTS} AND session_id IS NOT NULL;
INSERT INTO credential_counts (credential_key, username, password, attempts, successes, sessions)
SELECT ${credentialKey('username', 'password')}, username, password, count(*),
  count(*) FILTER (WHERE eventid = 'cowrie.login.success'), count(DISTINCT session_id)
FROM cowrie_events WHERE ${LOGIN_EVENTS} GROUP BY username, password;`;

/**
 * The trigger: per statement, the new (key, session) pairs first, then the counts, each key once
 * (an upsert may not touch a row twice). The commands are those `session_commands` takes: command
 * events with a session; the logins are every login event, with or without a session.
 */
const TRIGGER_SQL = `
CREATE OR REPLACE FUNCTION cowrie_events_report_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH commands AS (
    SELECT ${inputKey('input')} AS input_key, input, session_id, count(*) AS n
    FROM inserted_events
    WHERE eventid = 'cowrie.command.input' AND session_id IS NOT NULL
    GROUP BY input, session_id
  ), new_sessions AS (
    INSERT INTO command_sessions (input_key, session_id)
    SELECT input_key, session_id FROM commands
    ON CONFLICT DO NOTHING
    RETURNING input_key
  )
  INSERT INTO command_counts AS c (input_key, input, times, sessions)
  SELECT per_input.input_key, per_input.input, per_input.times, coalesce(fresh.sessions, 0)
  FROM (SELECT input_key, input, sum(n) AS times FROM commands GROUP BY input_key, input) AS per_input
  LEFT JOIN (SELECT input_key, count(*) AS sessions FROM new_sessions GROUP BY input_key) AS fresh USING (input_key)
  ON CONFLICT (input_key) DO UPDATE SET times = c.times + excluded.times, sessions = c.sessions + excluded.sessions;

  WITH logins AS (
    SELECT ${credentialKey('username', 'password')} AS credential_key, username, password, session_id, count(*) AS n,
      count(*) FILTER (WHERE eventid = 'cowrie.login.success') AS ok
    FROM inserted_events
    WHERE ${LOGIN_EVENTS}
    GROUP BY username, password, session_id
  ), new_sessions AS (
    INSERT INTO credential_sessions (credential_key, session_id)
    SELECT credential_key, session_id FROM logins WHERE session_id IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING credential_key
  )
  INSERT INTO credential_counts AS c (credential_key, username, password, attempts, successes, sessions)
  SELECT pair.credential_key, pair.username, pair.password, pair.attempts, pair.successes, coalesce(fresh.sessions, 0)
  FROM (SELECT credential_key, username, password, sum(n) AS attempts, sum(ok) AS successes
    FROM logins GROUP BY credential_key, username, password) AS pair
  LEFT JOIN (SELECT credential_key, count(*) AS sessions FROM new_sessions GROUP BY credential_key) AS fresh USING (credential_key)
  ON CONFLICT (credential_key) DO UPDATE SET attempts = c.attempts + excluded.attempts,
    successes = c.successes + excluded.successes, sessions = c.sessions + excluded.sessions;
  RETURN NULL;
END
$$;

CREATE TRIGGER cowrie_events_report_counts AFTER INSERT ON cowrie_events
REFERENCING NEW TABLE AS inserted_events
FOR EACH STATEMENT EXECUTE FUNCTION cowrie_events_report_counts();`;

/**
 * Migration 6 in PostgreSQL: the count tables, built from the rows there, then kept by their trigger.
 * The lock comes first: a writer of an older build still running during the upgrade waits until the
 * trigger is in place, so no row it commits can fall between the build's snapshot and the trigger.
 */
export const COWRIE_REPORT_COUNTS_PG_SQL = `LOCK TABLE cowrie_events IN SHARE ROW EXCLUSIVE MODE;
${TABLES_SQL}${BUILD_SQL}${TRIGGER_SQL}`;
