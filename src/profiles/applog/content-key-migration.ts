import type Database from 'better-sqlite3';
import type pg from 'pg';
import { UnitMemory } from '../unit-memory.js';
import { appLogEntryKey } from './entry-key.js';

/** What migration 2 does, as recorded in `schema_version`. */
export const CONTENT_KEY_MIGRATION = 'logs.id keyed by content: existing rows re-keyed, copies stored under other file names removed';

/**
 * Old ids that lose: of rows that get the same content key (one entry stored under two file names),
 * the first stored is kept (oldest `created_at`, then file name and index), the others are removed.
 */
const LOSERS_SQL = `SELECT old_id FROM (
  SELECT r.old_id, row_number() OVER (PARTITION BY r.new_id ORDER BY l.created_at, l.source_file, l.source_index, l.id) AS n
  FROM applog_rekey r JOIN logs l ON l.id = r.old_id) ranked WHERE n > 1`;

/**
 * The content keys of one file's stored entries (in entry order), as a fresh ingest of that file
 * would make them: one unit memory per file, so repeats within the file stay apart.
 */
function keysOfFile(raws: readonly unknown[]): string[] {
  const memory = new UnitMemory();
  return raws.map((raw) => appLogEntryKey(typeof raw === 'string' ? JSON.parse(raw) : raw, memory));
}

/** SQLite migration 2 of `logs`: the old ids (file name, index) become content keys; copies go. */
export function migrateSqliteToContentKeys(db: Database.Database): void {
  db.exec('CREATE TEMP TABLE applog_rekey (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL)');
  const files = (db.prepare('SELECT DISTINCT source_file AS f FROM logs ORDER BY 1').all() as { f: string | null }[]).map((r) => r.f);
  const rows = db.prepare('SELECT id, raw_data AS raw FROM logs WHERE source_file IS ? ORDER BY source_index, id');
  const insert = db.prepare('INSERT INTO applog_rekey VALUES (?, ?)');
  // A file's rows at a time: memory holds one file's entries at most.
  for (const file of files) {
    const stored = rows.all(file) as { id: string; raw: unknown }[];
    const keys = keysOfFile(stored.map((r) => r.raw));
    stored.forEach((r, i) => insert.run(r.id, keys[i]));
  }
  db.exec(`DELETE FROM logs WHERE id IN (${LOSERS_SQL});
UPDATE logs SET id = (SELECT new_id FROM applog_rekey WHERE old_id = logs.id);
DROP TABLE applog_rekey;`);
}

/** PostgreSQL migration 2 of `logs`: as in SQLite, with `jsonb` read back into the same content. */
export async function migratePostgresToContentKeys(client: pg.PoolClient): Promise<void> {
  await client.query('CREATE TEMP TABLE applog_rekey (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL) ON COMMIT DROP');
  const files = (await client.query<{ f: string | null }>('SELECT DISTINCT source_file AS f FROM logs ORDER BY 1')).rows.map((r) => r.f);
  for (const file of files) {
    const sql = 'SELECT id, raw_data AS raw FROM logs WHERE source_file IS NOT DISTINCT FROM $1 ORDER BY source_index, id';
    const stored = (await client.query<{ id: string; raw: unknown }>(sql, [file])).rows;
    const keys = keysOfFile(stored.map((r) => r.raw));
    await client.query('INSERT INTO applog_rekey SELECT * FROM unnest($1::text[], $2::text[])', [stored.map((r) => r.id), keys]);
  }
  await client.query(`DELETE FROM logs WHERE id IN (${LOSERS_SQL})`);
  await client.query('UPDATE logs SET id = r.new_id FROM applog_rekey r WHERE logs.id = r.old_id');
}
