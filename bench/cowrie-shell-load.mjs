// Reference for the Cowrie benchmark: the same events loaded by nothing but the sqlite3 shell into the
// same schema, with the same per-session metrics.
//
// The schema (tables, indexes and the triggers that keep session_metrics, session_commands and
// session_downloads) is read from a database Sluice created, so both runs pay for the same indexes and
// the same `INSERT … ON CONFLICT` upserts per event. The shell computes each event's key with its
// built-in sha3 (Sluice uses sha256: the same work per byte, give or take) and places sessions by the
// `session` field as Sluice's first two matchers do.
import { ensureSqlite3, runSqliteScript, sqlite3Query } from './sqlite-shell-load.mjs';

const COWRIE_TABLES = ['cowrie_events', 'session_metrics', 'session_commands', 'session_downloads', 'session_summary'];

/** The CREATE statements of the Cowrie tables, indexes, triggers and view in `templateDb`, in creation order. */
export function cowrieSchemaOf(templateDb) {
  const names = COWRIE_TABLES.map((t) => `'${t}'`).join(', ');
  const sql = sqlite3Query(templateDb, `SELECT sql || ';' FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (${names}) ORDER BY rowid;`);
  if (!sql.includes('CREATE TRIGGER')) throw new Error(`${templateDb} holds no Cowrie session trigger: is it a Cowrie database?`);
  return sql;
}

function loadScript(ndjsonPath, schemaSql) {
  const s = (key) => `CASE json_type(j, '$.${key}') WHEN 'text' THEN j->>'${key}' WHEN 'integer' THEN CAST(j->>'${key}' AS TEXT) WHEN 'real' THEN CAST(j->>'${key}' AS TEXT) END`;
  return `PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
${schemaSql}
CREATE TEMP TABLE tmp(j TEXT);
.mode ascii
.separator "\\037" "\\n"
.import ${JSON.stringify(ndjsonPath)} tmp
.mode list
.separator "|" "\\n"
SELECT 'imported', count(*) FROM tmp;
BEGIN;
INSERT OR IGNORE INTO cowrie_events(event_key, session_id, matcher, eventid, timestamp, src_ip, sensor, protocol, username,
  password, input, url, shasum, duration_sec, version, message, raw_json)
SELECT lower(substr(hex(sha3(j, 256)), 1, 32)),
       ${s('session')},
       CASE WHEN ${s('session')} IS NULL THEN NULL
            WHEN instr(j->>'message', '[session: ' || (j->>'session') || ']') > 0 THEN 'full_delimited'
            ELSE 'session_id_only' END,
       ${s('eventid')}, ${s('timestamp')}, ${s('src_ip')}, ${s('sensor')}, ${s('protocol')}, ${s('username')},
       ${s('password')}, ${s('input')}, ${s('url')}, ${s('shasum')},
       CASE WHEN j->>'eventid' = 'cowrie.session.closed' THEN CAST(j->>'duration' AS REAL) END,
       ${s('version')}, ${s('message')}, json(j)
FROM tmp
WHERE json_valid(j) AND json_type(j) = 'object'
ORDER BY rowid;
COMMIT;
`;
}

/**
 * Loads the Cowrie JSON lines of `ndjsonPath` into a fresh `dbPath` with the sqlite3 shell, using the
 * schema SQL from `cowrieSchemaOf`. `seconds` covers the whole shell run (schema, import, insert, commit).
 */
export async function loadCowrieWithSqliteShell(ndjsonPath, dbPath, schemaSql) {
  ensureSqlite3();
  const { seconds, stdout } = await runSqliteScript(dbPath, loadScript(ndjsonPath, schemaSql));
  const imported = Number(/imported\|(\d+)/.exec(stdout)?.[1] ?? NaN);
  return { seconds, imported, ...cowrieCounts(dbPath) };
}

/** Rows in the Cowrie tables, read with the sqlite3 shell. */
export function cowrieCounts(dbPath) {
  const [events, sessions, commands, downloads] = sqlite3Query(
    dbPath,
    'SELECT (SELECT count(*) FROM cowrie_events), (SELECT count(*) FROM session_metrics), (SELECT count(*) FROM session_commands), (SELECT count(*) FROM session_downloads);',
  ).split('|').map(Number);
  return { events, sessions, commands, downloads };
}
