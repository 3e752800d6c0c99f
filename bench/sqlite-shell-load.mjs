#!/usr/bin/env node
// Baseline: load bridge NDJSON with nothing but the sqlite3 shell.
//
//   node bench/sqlite-shell-load.mjs FILE.ndjson DB_PATH
//
// Prints {seconds, rows, imported, lines, sqlite3} as one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The same page size as Sluice's own bridge databases (a setting of the file, not of the schema).
const { bridgeProfile } = await import(pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'profiles', 'bridge', 'index.js')).href);

export const EVENTS_SCHEMA = `
CREATE TABLE events(
  id INTEGER PRIMARY KEY, seq INTEGER, ts_ms INTEGER, type TEXT, msg TEXT, plate TEXT,
  t_rel_ms REAL, session_id TEXT, pid INTEGER, schema TEXT, data_json TEXT,
  UNIQUE(session_id, seq)
);
CREATE INDEX events_session_id ON events(session_id);
CREATE INDEX events_type ON events(type);
CREATE INDEX events_ts_ms ON events(ts_ms);
`;

/** Returns {version, arrows}; installs sqlite3 via apt-get if missing (we run as root). */
export function ensureSqlite3() {
  let r = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  if (r.error) {
    spawnSync('apt-get', ['install', '-y', 'sqlite3'], { stdio: 'ignore' });
    r = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
    if (r.error) throw new Error('sqlite3 shell missing and `apt-get install -y sqlite3` did not provide it');
  }
  const version = r.stdout.split(' ')[0];
  const [maj, min] = version.split('.').map(Number);
  return { version, arrows: maj > 3 || (maj === 3 && min >= 38) }; // ->> / -> arrived in 3.38
}

export function sqlite3Query(dbPath, sql) {
  const r = spawnSync('sqlite3', ['-batch', '-bail', dbPath, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export const countRows = (dbPath) => Number(sqlite3Query(dbPath, 'SELECT count(*) FROM events;'));

export function removeDb(dbPath) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(dbPath + suffix, { force: true });
}

/** Counts '\n'-terminated lines (plus an unterminated last line), as .import sees them. */
export async function countLines(path) {
  let n = 0;
  let last = 10;
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 })) {
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
    last = buf[buf.length - 1];
  }
  return last === 10 ? n : n + 1;
}

function loadScript(ndjsonPath, arrows) {
  const x = (key) => (arrows ? `j->>'${key}'` : `json_extract(j, '$.${key}')`);
  const data = arrows ? `j->'data'` : `json_extract(j, '$.data')`;
  // .mode ascii ignores quotes entirely; "\037" (octal, the shell does not take \x)
  // as column separator means each physical line lands whole in the one column.
  return `PRAGMA page_size=${bridgeProfile.sqlitePageSize ?? 4096};
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
${EVENTS_SCHEMA}
CREATE TEMP TABLE tmp(j TEXT);
.mode ascii
.separator "\\037" "\\n"
.import ${JSON.stringify(ndjsonPath)} tmp
.mode list
.separator "|" "\\n"
SELECT 'imported', count(*) FROM tmp;
-- CASE guards the json calls (AND is not guaranteed to short-circuit) and
-- rejects a string seq like "x12", which sluice also rejects.
INSERT OR IGNORE INTO events(seq, ts_ms, type, msg, plate, t_rel_ms, session_id, pid, schema, data_json)
SELECT ${x('seq')}, coalesce(${x('ts_ms')}, ${x('t_rel_ms')}), ${x('type')}, ${x('msg')}, ${x('plate')},
       ${x('t_rel_ms')}, ${x('session_id')}, ${x('pid')}, ${x('schema')}, ${data}
FROM tmp
WHERE CASE WHEN json_valid(j) THEN json_type(j, '$.seq') END = 'integer'
ORDER BY rowid;
`;
}

/**
 * Runs `script` in the sqlite3 shell on a fresh `dbPath` (removed first); `seconds` covers the whole
 * shell run. Throws with the shell's error when it fails.
 */
export async function runSqliteScript(dbPath, script) {
  removeDb(dbPath);
  const t0 = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise((resolve, reject) => {
    const child = spawn('sqlite3', ['-batch', '-bail', dbPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    child.stdin.end(script);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`sqlite3 shell load failed (exit ${code}): ${stderr.trim().slice(-2000)}`);
  return { seconds, stdout };
}

/**
 * Loads ndjsonPath into a fresh dbPath with the sqlite3 shell.
 * seconds covers the whole shell run (schema, import, insert, commit).
 */
export async function loadWithSqliteShell(ndjsonPath, dbPath) {
  const { version, arrows } = ensureSqlite3();
  const { seconds, stdout } = await runSqliteScript(dbPath, loadScript(ndjsonPath, arrows));
  const imported = Number(/imported\|(\d+)/.exec(stdout)?.[1] ?? NaN);
  const lines = await countLines(ndjsonPath);
  if (imported !== lines) throw new Error(`.import took ${imported} rows but the file has ${lines} lines`);
  return { seconds, rows: countRows(dbPath), imported, lines, sqlite3: version };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, db] = process.argv.slice(2);
  if (!file || !db) {
    console.error('usage: sqlite-shell-load.mjs FILE.ndjson DB_PATH');
    process.exit(2);
  }
  try {
    const r = await loadWithSqliteShell(file, db);
    console.log(JSON.stringify({ ...r, seconds: +r.seconds.toFixed(3) }));
  } catch (err) {
    console.error(String(err?.message ?? err));
    process.exit(1);
  }
}
