import { storedColumns, type ColumnSpec, type TableSpec } from '../../core/rows/table-spec.js';

/**
 * The PostgreSQL type of a column: its `pgType`, else the one matching its SQLite type (`INTEGER` →
 * `BIGINT`, `REAL` → `DOUBLE PRECISION`, `BLOB` → `BYTEA`, anything else → `TEXT`).
 */
export function pgColumnType(column: ColumnSpec): string {
  if (column.pgType) return column.pgType;
  switch (column.sqlType.toUpperCase()) {
    case 'INTEGER':
      return 'BIGINT';
    case 'REAL':
      return 'DOUBLE PRECISION';
    case 'BLOB':
      return 'BYTEA';
    default:
      return column.kind === 'blob' ? 'BYTEA' : 'TEXT';
  }
}

/**
 * The column definitions of a table's stored columns for `CREATE TABLE`, one per line, in the
 * TableSpec's order (the order COPY sends them). Columns of the unique key are `NOT NULL` when
 * `keyNotNull` is set: the key is what makes a re-ingest add nothing, and NULLs are never equal.
 */
export function pgColumnsDdl(table: TableSpec, options: { keyNotNull?: boolean } = {}): string {
  return storedColumns(table)
    .map((c) => `${quoteIdent(c.name)} ${pgColumnType(c)}${options.keyNotNull && table.uniqueKey.includes(c.name) ? ' NOT NULL' : ''}`)
    .join(',\n  ');
}

/** A column or table name as a quoted PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
