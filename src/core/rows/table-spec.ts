/** How a column's values travel between threads: text (or JSON text) or a number. */
export type ColumnKind = 'text' | 'number';

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
}

/** A table a profile writes rows into, with the columns that make a row unique. */
export interface TableSpec {
  /** Table name. */
  name: string;
  /** Columns written by the profile, in the order `map` emits values. */
  columns: readonly ColumnSpec[];
  /** Columns of the unique key that makes a re-ingest add nothing. */
  uniqueKey: readonly string[];
}

/** A value of one column: text, a number, or null. */
export type RowValue = string | number | null;
