import type Database from 'better-sqlite3';
import type { BindValue } from './report.js';
import type { ReportReader, SqlValue } from './report-reader.js';

/**
 * A report's reads over a SQLite connection, inside one read transaction (`BEGIN`, taken by the
 * first read and kept until `close`), so look-ups and rows see one snapshot beside a writer. `db` is
 * there for code that needs SQLite itself (the threaded vector scan of `similar`).
 */
export class SqliteReportReader implements ReportReader {
  readonly dialect = 'sqlite' as const;

  constructor(
    readonly description: string,
    readonly db: Database.Database,
  ) {
    if (!db.inTransaction) db.exec('BEGIN');
  }

  async one(sql: string, args: readonly BindValue[] = []): Promise<SqlValue[] | undefined> {
    return this.db.prepare(sql).raw(true).get(...args) as SqlValue[] | undefined;
  }

  rows(sql: string, args: readonly BindValue[] = []): Iterable<SqlValue[]> {
    return this.db.prepare(sql).raw(true).iterate(...args) as Iterable<SqlValue[]>;
  }

  async close(): Promise<void> {
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } finally {
      this.db.close();
    }
  }
}
