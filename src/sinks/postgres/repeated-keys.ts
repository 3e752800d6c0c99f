import type pg from 'pg';
import type { TableSpec } from '../../core/rows/table-spec.js';
import type { BatchKeys } from './copy-text.js';

/**
 * The columns of `table`'s unique key (see `BatchKeys`) when a row whose key came earlier in the same
 * batch can be left out before COPY, as PostgreSQL would refuse it anyway: duplicates are ignored (no
 * `postgresOnConflict` upsert), every key column is stored, the key's last column is a number (text
 * keys, such as content hashes, are left to PostgreSQL: kept for a batch they would cost memory and
 * collector time, and their repeats come from files sent again, in other batches), the table has a unique index on exactly
 * those columns (plain columns, not partial), and no BEFORE INSERT row trigger could skip or change
 * the first row. The catalog is asked, not the profile's word: a key that the index widens (an
 * expression, another column) keeps every row. Dropping them spares a segment's rollback and its
 * replay through staging for duplicates within a batch (a writer's retry repeats a recent line).
 */
export async function dropsRepeatedKeys(pool: pg.Pool, table: TableSpec): Promise<Omit<BatchKeys, 'seen'> | undefined> {
  if (table.postgresOnConflict !== undefined || table.uniqueKey.length === 0) return undefined;
  const columns = table.uniqueKey.map((name) => table.columns.findIndex((c) => c.name === name && c.stored !== false));
  const number = columns[columns.length - 1] as number;
  if (columns.some((i) => i < 0) || table.columns[number]?.kind !== 'number') return undefined;
  const r = await pool.query<{ ok: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_index i
       WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indexprs IS NULL AND i.indpred IS NULL
         AND i.indnkeyatts = cardinality($2::text[])
         AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_attribute a
              WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::smallint[])) = (SELECT array_agg(k ORDER BY k) FROM unnest($2::text[]) k)
     ) AND NOT EXISTS (
       -- tgtype bits: 1 row, 2 before, 4 insert
       SELECT 1 FROM pg_trigger t WHERE t.tgrelid = to_regclass($1) AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 7) = 7
     ) AS ok`,
    [`"${table.name}"`, table.uniqueKey],
  );
  return r.rows[0]?.ok === true ? { prefix: columns.slice(0, -1), number } : undefined;
}
