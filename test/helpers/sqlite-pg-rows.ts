import Database from 'better-sqlite3';
import pg from 'pg';
import { PG_BASE_URL } from './pg-test-db.js';

/** One row as plain values: numbers as numbers (PostgreSQL's int8 and numeric come back as text). */
export type PlainRow = Record<string, string | number | null>;

/** PostgreSQL type oids that node-pg hands back as strings although they hold numbers. */
const NUMERIC_OIDS = new Set([20 /* int8 */, 1700 /* numeric */]);

/** The rows of `sql` in a SQLite file, sorted (see `sortRows`). */
export function sqliteRows(path: string, sql: string, key?: readonly string[]): PlainRow[] {
  const db = new Database(path, { readonly: true });
  try {
    return sortRows(db.prepare(sql).all() as PlainRow[], key);
  } finally {
    db.close();
  }
}

/** The rows of `sql` in a PostgreSQL schema, numbers normalised, sorted (see `sortRows`). */
export async function pgRows(schema: string, sql: string, key?: readonly string[]): Promise<PlainRow[]> {
  const client = new pg.Client({ connectionString: PG_BASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    const r = await client.query<Record<string, unknown>>(sql);
    const numeric = r.fields.filter((f) => NUMERIC_OIDS.has(f.dataTypeID)).map((f) => f.name);
    return sortRows(
      r.rows.map((row) => {
        const out: PlainRow = {};
        for (const [k, v] of Object.entries(row)) {
          out[k] = v === null ? null : numeric.includes(k) ? Number(v) : typeof v === 'number' || typeof v === 'string' ? v : String(v);
        }
        return out;
      }),
      key,
    );
  } finally {
    await client.end();
  }
}

/**
 * Rows in one order whatever the database's collation: by the JSON text of the `key` columns, else of
 * the whole row. Tables compared this way are multisets: no order of insertion is assumed.
 */
export function sortRows(rows: PlainRow[], key?: readonly string[]): PlainRow[] {
  return rows
    .map((r) => [JSON.stringify(key ? key.map((k) => r[k] ?? null) : r), r] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r);
}

/**
 * Where two row lists first differ, for a readable failure on tables of many thousand rows: undefined
 * when they are equal. Numbers are equal within `tolerance` (for values SQLite computes from
 * julianday, which keeps milliseconds only).
 */
export function firstDifference(a: readonly PlainRow[], b: readonly PlainRow[], tolerance = 0): string | undefined {
  if (a.length !== b.length) return `row counts differ: ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? {};
    const y = b[i] ?? {};
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) {
      const u = x[k] ?? null;
      const v = y[k] ?? null;
      const same = typeof u === 'number' && typeof v === 'number' ? Math.abs(u - v) <= tolerance : u === v;
      if (!same) return `row ${i}, column ${k}: ${JSON.stringify(u)} vs ${JSON.stringify(v)}\n${JSON.stringify(x)}\n${JSON.stringify(y)}`;
    }
  }
  return undefined;
}
