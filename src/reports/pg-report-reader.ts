import pg from 'pg';
import Cursor from 'pg-cursor';
import type { BindValue } from './report.js';
import type { ReportReader, SqlValue } from './report-reader.js';
import { toPgPlaceholders } from './pg-placeholders.js';
import { REPORT_TYPES } from './pg-report-values.js';
import { ROUND_MARK } from './report-sql.js';
import { sqliteRound } from './sqlite-round.js';

/** Columns to round (index, places), from the names `roundedAs` marks; empty for most statements. */
function roundings(fields: readonly pg.FieldDef[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  fields.forEach((f, i) => {
    const m = ROUND_MARK.exec(f.name);
    if (m) out.push([i, Number(m[1])]);
  });
  return out;
}

/** Rounds the marked columns of a row in place. */
function applyRoundings(row: SqlValue[], plan: ReadonlyArray<[number, number]>): SqlValue[] {
  for (const [i, places] of plan) {
    const v = row[i];
    if (typeof v === 'number') row[i] = sqliteRound(v, places);
  }
  return row;
}

/** Rows fetched per round trip of a cursor: few round trips, little memory. */
const CURSOR_ROWS = 2000;

/**
 * A report's reads over one PostgreSQL connection, inside `BEGIN ISOLATION LEVEL REPEATABLE READ READ
 * ONLY` (begun by `openPgReportReader`): every look-up and the rows see one snapshot, and nothing can
 * be written. Rows stream through a server-side cursor (pg-cursor), `CURSOR_ROWS` at a time.
 */
export class PgReportReader implements ReportReader {
  readonly dialect = 'postgres' as const;

  constructor(
    readonly description: string,
    private readonly client: pg.ClientBase,
    /** Gives the connection back (to its pool, or ends its pool); with the failure that broke it, if any. */
    private readonly release: (failure?: Error) => Promise<void>,
  ) {}

  async one(sql: string, args: readonly BindValue[] = []): Promise<SqlValue[] | undefined> {
    const r = await this.client.query<SqlValue[]>({ text: toPgPlaceholders(sql), values: [...args], rowMode: 'array', types: REPORT_TYPES });
    const row = r.rows[0];
    return row === undefined ? undefined : applyRoundings(row, roundings(r.fields));
  }

  async *rows(sql: string, args: readonly BindValue[] = []): AsyncIterable<SqlValue[]> {
    const cursor = this.client.query(new Cursor<SqlValue[]>(toPgPlaceholders(sql), [...args], { rowMode: 'array', types: REPORT_TYPES }));
    const read = (): Promise<{ rows: SqlValue[][]; fields: pg.FieldDef[] }> =>
      new Promise((resolve, reject) => {
        cursor.read(CURSOR_ROWS, (err, rows, result) => (err ? reject(err) : resolve({ rows, fields: result.fields })));
      });
    try {
      let plan: Array<[number, number]> | undefined;
      for (;;) {
        const batch = await read();
        plan ??= roundings(batch.fields);
        if (plan.length === 0) yield* batch.rows;
        else for (const row of batch.rows) yield applyRoundings(row, plan);
        if (batch.rows.length < CURSOR_ROWS) return;
      }
    } finally {
      await cursor.close();
    }
  }

  async close(): Promise<void> {
    let failure: Error | undefined;
    try {
      await this.client.query('COMMIT');
    } catch (err) {
      failure = err as Error;
      throw err;
    } finally {
      await this.release(failure);
    }
  }
}
