import { statSync } from 'node:fs';
import { openSqliteDatabase } from '../db/sqlite/open-database.js';
import { parseReportTarget } from './report-database.js';

/** How long to wait for PostgreSQL while looking which tables a database holds. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Which of `tables` the database `db` holds (SQLite path or `postgres://…[?schema=NAME]`), read-only.
 * A database that cannot be opened holds none here: opening it for the report then says why.
 */
export async function presentTables(db: string, tables: readonly string[]): Promise<Set<string>> {
  const target = parseReportTarget(db);
  if (target.kind === 'sqlite') {
    if (!statSync(target.path, { throwIfNoEntry: false })?.isFile()) return new Set();
    try {
      const conn = openSqliteDatabase(target.path, { readonly: true });
      try {
        const rows = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
        return new Set(rows.map((r) => r.name).filter((n) => tables.includes(n)));
      } finally {
        conn.close();
      }
    } catch {
      return new Set();
    }
  }
  const { createPgPool } = await import('../db/postgres/pg-pool.js');
  const { pool } = createPgPool(target.url, 1);
  pool.options.connectionTimeoutMillis = CONNECT_TIMEOUT_MS;
  try {
    const found = new Set<string>();
    for (const table of tables) {
      const r = await pool.query<{ t: string | null }>('SELECT CAST(to_regclass($1) AS TEXT) AS t', [`"${table}"`]);
      if (r.rows[0]?.t) found.add(table);
    }
    return found;
  } catch {
    return new Set();
  } finally {
    await pool.end().catch(() => undefined);
  }
}
