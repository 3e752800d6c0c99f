import type Database from 'better-sqlite3';
import { RowChunkReader, type EncodedRows } from '../../core/rows/row-chunk.js';
import { storedColumns, type RowValue, type TableSpec } from '../../core/rows/table-spec.js';

/** The rowids a transaction's inserts gave to new rows (contiguous: each new row takes the next rowid). */
export interface RowidRange {
  /** Rowid of the first new row, or undefined while none was inserted. */
  first: number | undefined;
  /** Rowid of the last new row. */
  last: number | undefined;
}

/** Rows bound per statement: SQLite's per-statement overhead is paid once per this many rows. */
const ROWS_PER_STATEMENT = 50;

/**
 * `INSERT OR IGNORE` of encoded rows into one table through multi-row VALUES statements. The unique
 * key turns a re-ingested row into a counted no-op; `changes` tells inserted from duplicate. A table
 * with `sqliteOnConflict` is upserted instead (an updated row counts as written).
 */
export class SqliteRowInserter {
  private readonly statements = new Map<number, Database.Statement<[RowValue[]]>>();
  private readonly params: RowValue[] = [];
  private readonly stored: boolean[];
  private readonly columns: string[];

  constructor(
    private readonly db: Database.Database,
    private readonly table: TableSpec,
  ) {
    this.stored = table.columns.map((c) => c.stored !== false);
    this.columns = storedColumns(table).map((c) => c.name);
  }

  /**
   * Inserts the rows; returns how many were new. Runs in the caller's transaction. With `range`, widens
   * it to the rowids of the new rows (an upserted table's updates would count too: not for those).
   */
  insert(rows: EncodedRows, range?: RowidRange): number {
    const reader = new RowChunkReader(rows, this.table);
    let inserted = 0;
    while (reader.remaining > 0) {
      const n = Math.min(ROWS_PER_STATEMENT, reader.remaining);
      const params = reader.next(n, this.params);
      if (this.columns.length < this.stored.length) dropTransient(params, this.stored);
      const { changes, lastInsertRowid } = this.statementFor(n).run(params);
      inserted += changes;
      if (range && changes > 0) {
        // One statement's new rows take consecutive rowids, the last of them reported.
        const last = Number(lastInsertRowid);
        range.first ??= last - changes + 1;
        range.last = last;
      }
    }
    return inserted;
  }

  private statementFor(rowCount: number): Database.Statement<[RowValue[]]> {
    let stmt = this.statements.get(rowCount);
    if (!stmt) {
      const cols = this.columns.map((c) => `"${c}"`).join(', ');
      const tuple = `(${this.columns.map(() => '?').join(', ')})`;
      const values = Array.from({ length: rowCount }, () => tuple).join(', ');
      const { name, uniqueKey, sqliteOnConflict } = this.table;
      const sql = sqliteOnConflict
        ? `INSERT INTO "${name}" (${cols}) VALUES ${values} ON CONFLICT (${uniqueKey.map((c) => `"${c}"`).join(', ')}) ${sqliteOnConflict}`
        : `INSERT OR IGNORE INTO "${name}" (${cols}) VALUES ${values}`;
      const prepared = this.db.prepare<[RowValue[]]>(sql);
      this.statements.set(rowCount, prepared);
      stmt = prepared;
    }
    return stmt;
  }
}

/** Removes, in place, the values of columns SQL does not store from row-major `params`. */
function dropTransient(params: RowValue[], stored: readonly boolean[]): void {
  let k = 0;
  for (let i = 0; i < params.length; i++) {
    if (stored[i % stored.length]) params[k++] = params[i] ?? null;
  }
  params.length = k;
}
