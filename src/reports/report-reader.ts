import type { BindValue, ReportValue } from './report.js';

/** The SQL dialect a report reads: each report keeps its few dialect differences beside each other. */
export type ReportDialect = 'sqlite' | 'postgres';

/** A value a statement returns: a report's cell, or a BLOB/BYTEA (vectors, read by `similar`). */
export type SqlValue = ReportValue | Uint8Array;

/** Rows as they arrive: a SQLite statement steps synchronously, a PostgreSQL cursor by awaited batches. */
export type RowSource<T = readonly SqlValue[]> = Iterable<T> | AsyncIterable<T>;

/**
 * What a report reads its database through, inside one read-only snapshot (a read transaction in
 * SQLite, `REPEATABLE READ READ ONLY` in PostgreSQL) opened before the first statement and kept until
 * `close`. SQL is written with `?` placeholders in both dialects; numbers come back as numbers
 * (PostgreSQL's BIGINT, COUNT and NUMERIC included), so every format writes the same text.
 */
export interface ReportReader {
  /** Which SQL the report must write. */
  readonly dialect: ReportDialect;
  /** The database, for messages: a path, or a URL without its password. */
  readonly description: string;
  /** The first row of a statement as an array, or undefined when it has none (small look-ups). */
  one(sql: string, args?: readonly BindValue[]): Promise<SqlValue[] | undefined>;
  /**
   * Every row of a statement, as arrays, streamed: never loaded whole. Leaving the loop early (a
   * reader of `| head` gone) finalizes the statement or closes the cursor.
   */
  rows(sql: string, args?: readonly BindValue[]): RowSource;
  /** Ends the snapshot and closes the connection. */
  close(): Promise<void>;
}
