// Reference for the Cowrie benchmark: the same events loaded by nothing but the sqlite3 shell into the
// same schema, with the same per-session metrics.
//
// The schema (tables, indexes, view) is read from a database Sluice created, so both runs pay for the
// same indexes; the shell gets the page cache and in-memory temp store Sluice's writer uses. The shell loads every event with one `INSERT OR IGNORE … SELECT` from the imported
// lines, then fills session_metrics, session_commands and session_downloads from the loaded events with
// `INSERT … SELECT … ON CONFLICT`: Sluice's own per-batch statements (COWRIE_SESSION_BATCH_SQL), run
// once over all the events, so the metrics are the same by construction and the reference pays for them
// once, set-based, not per event. The shell computes each event's key with its built-in sha3 (Sluice
// uses sha256: the same work per byte, give or take) and places sessions by the `session` field as
// Sluice's first two matchers do.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureSqlite3, runSqliteScript, sqlite3Query } from './sqlite-shell-load.mjs';

const COWRIE_TABLES = ['cowrie_events', 'session_metrics', 'session_commands', 'session_downloads', 'session_summary'];
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/** The CREATE statements of the Cowrie tables, indexes and view in `templateDb`, in creation order (no trigger). */
export function cowrieSchemaOf(templateDb) {
  const names = COWRIE_TABLES.map((t) => `'${t}'`).join(', ');
  // Not the triggers: they keep Sluice's report tables (day_ip_sessions, ip_sessions), which the
  // reference, as the issue defines it, does not fill (nor command_counts/credential_counts).
  const sql = sqlite3Query(
    templateDb,
    `SELECT sql || ';' FROM sqlite_master WHERE sql IS NOT NULL AND type <> 'trigger' AND tbl_name IN (${names}) ORDER BY rowid;`,
  );
  if (!sql.includes('session_metrics')) throw new Error(`${templateDb} holds no session_metrics table: is it a Cowrie database?`);
  return sql;
}

async function loadScript(ndjsonPath, schemaSql) {
  const { COWRIE_SESSION_BATCH_SQL } = await import(pathToFileURL(join(DIST, 'profiles/cowrie/session-batch-sql.js')).href);
  const { cowrieProfile } = await import(pathToFileURL(join(DIST, 'profiles/cowrie/index.js')).href);
  const s = (key) => `CASE json_type(j, '$.${key}') WHEN 'text' THEN j->>'${key}' WHEN 'integer' THEN CAST(j->>'${key}' AS TEXT) WHEN 'real' THEN CAST(j->>'${key}' AS TEXT) END`;
  // The same page size as Sluice's own Cowrie databases (a setting of the file, like the cache below).
  return `PRAGMA page_size=${cowrieProfile.sqlitePageSize ?? 4096};
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA cache_size=-${Math.round(cowrieProfile.sqliteCacheMb * 1024)};
PRAGMA temp_store=MEMORY;
${schemaSql}
CREATE TEMP TABLE tmp(j TEXT);
.mode ascii
.separator "\\037" "\\n"
.import ${JSON.stringify(ndjsonPath)} tmp
.mode list
.separator "|" "\\n"
SELECT 'imported', count(*) FROM tmp;
BEGIN;
SELECT 'events_from', julianday('now');
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
SELECT 'metrics_from', julianday('now');
.parameter set $first_rowid 1
.parameter set $last_rowid 9223372036854775807
${COWRIE_SESSION_BATCH_SQL.map((sql) => `${sql.trim()};`).join('\n')}
SELECT 'metrics_to', julianday('now');
COMMIT;
`;
}

/**
 * Loads the Cowrie JSON lines of `ndjsonPath` into a fresh `dbPath` with the sqlite3 shell, using the
 * schema SQL from `cowrieSchemaOf`. `seconds` covers the whole shell run (schema, import, insert,
 * metrics, commit); `eventsSeconds` and `metricsSeconds` the two INSERT … SELECT phases.
 */
export async function loadCowrieWithSqliteShell(ndjsonPath, dbPath, schemaSql) {
  ensureSqlite3();
  const { seconds, stdout } = await runSqliteScript(dbPath, await loadScript(ndjsonPath, schemaSql));
  const at = (name) => Number(new RegExp(`${name}\\|([0-9.]+)`).exec(stdout)?.[1] ?? NaN);
  const imported = Number(/imported\|(\d+)/.exec(stdout)?.[1] ?? NaN);
  const eventsSeconds = (at('metrics_from') - at('events_from')) * 86400;
  const metricsSeconds = (at('metrics_to') - at('metrics_from')) * 86400;
  return { seconds, eventsSeconds, metricsSeconds, imported, ...cowrieCounts(dbPath) };
}

/** Rows in the Cowrie tables, read with the sqlite3 shell. */
export function cowrieCounts(dbPath) {
  const [events, sessions, commands, downloads] = sqlite3Query(
    dbPath,
    'SELECT (SELECT count(*) FROM cowrie_events), (SELECT count(*) FROM session_metrics), (SELECT count(*) FROM session_commands), (SELECT count(*) FROM session_downloads);',
  ).split('|').map(Number);
  return { events, sessions, commands, downloads };
}

/**
 * A digest of each session table's rows, read with the sqlite3 shell's `.sha3sum`: equal digests mean
 * equal metrics, whoever computed them (commands and downloads name their event by id, the same in
 * both loads of one file).
 */
export function cowrieSessionDigests(dbPath) {
  const digest = (table) => sqlite3Query(dbPath, `.sha3sum ${table}`);
  return { metrics: digest('session_metrics'), commands: digest('session_commands'), downloads: digest('session_downloads') };
}
