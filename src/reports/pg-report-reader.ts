import pg from 'pg';
import Cursor from 'pg-cursor';
import type { BindValue } from './report.js';
import type { ReportReader, SqlValue } from './report-reader.js';
import { toPgPlaceholders } from './pg-placeholders.js';
import { REPORT_TYPES } from './pg-report-values.js';

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
    /** Gives the connection back (ends its pool). */
    private readonly release: () => Promise<void>,
  ) {}

  async one(sql: string, args: readonly BindValue[] = []): Promise<SqlValue[] | undefined> {
    const r = await this.client.query<SqlValue[]>({ text: toPgPlaceholders(sql), values: [...args], rowMode: 'array', types: REPORT_TYPES });
    return r.rows[0];
  }

  async *rows(sql: string, args: readonly BindValue[] = []): AsyncIterable<SqlValue[]> {
    const cursor = this.client.query(new Cursor<SqlValue[]>(toPgPlaceholders(sql), [...args], { rowMode: 'array', types: REPORT_TYPES }));
    try {
      for (;;) {
        const batch = await cursor.read(CURSOR_ROWS);
        for (const row of batch) yield row;
        if (batch.length < CURSOR_ROWS) return;
      }
    } finally {
      await cursor.close();
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.query('COMMIT');
    } finally {
      await this.release();
    }
  }
}
