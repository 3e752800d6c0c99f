/** How a column's values travel between threads: text (or JSON text), a number, or bytes (a BLOB). */
export type ColumnKind = 'text' | 'number' | 'blob';

/** One column of a profile's table. */
export interface ColumnSpec {
  /** Column name, as in SQL. */
  name: string;
  /** Transport kind of the values. */
  kind: ColumnKind;
  /** SQL type in the sink (affinity in SQLite): `INTEGER`, `REAL`, `TEXT`. */
  sqlType: string;
  /** PostgreSQL type when it differs from `sqlType` (`JSONB`, `TIMESTAMPTZ`, `BOOLEAN`, ...). */
  pgType?: string;
  /** What the column holds, for docs and `--help`. */
  description: string;
  /**
   * False for a transient column: it travels to the sink but SQL sinks do not store it (e.g. a
   * document part that only the Elasticsearch sink uses). Default true.
   */
  stored?: boolean;
}

/** The columns a SQL sink stores. */
export function storedColumns(table: TableSpec): ColumnSpec[] {
  return table.columns.filter((c) => c.stored !== false);
}

/** A table a profile writes rows into, with the columns that make a row unique. */
export interface TableSpec {
  /** Table name. */
  name: string;
  /** Columns written by the profile, in the order `map` emits values. */
  columns: readonly ColumnSpec[];
  /** Columns of the unique key that makes a re-ingest add nothing. */
  uniqueKey: readonly string[];
  /**
   * SQLite: what a row whose unique key exists does, as the `DO ...` of `ON CONFLICT (uniqueKey)`
   * (e.g. `DO UPDATE SET seen = max(seen, excluded.seen)`). Without it the row is ignored (a duplicate).
   */
  sqliteOnConflict?: string;
  /**
   * PostgreSQL: the same as `sqliteOnConflict`, in PostgreSQL's words (the target table's columns
   * qualified by its name, `excluded.` for the new row; e.g. `DO UPDATE SET ... WHERE excluded.time_us
   * > posts.time_us`). Without it the row is ignored (a duplicate). Rows that share a key within one
   * batch are applied in the order they came, as SQLite applies them one by one.
   */
  postgresOnConflict?: string;
}

/** A value of one column: text, a number, bytes (blob columns), or null. */
export type RowValue = string | number | Uint8Array | null;
