import type Database from 'better-sqlite3';
import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { TableSpec } from '../../core/rows/table-spec.js';
import { SqliteRowInserter } from './row-inserter.js';

/** The connection's staging table (temp schema: in memory with the sink's temp_store, seen by no other connection). */
const STAGING = 'sluice_batch_summary';

/**
 * Upserts a batch's summary rows (`Profile.sqliteBatchSummary`) into their table. Each chunk's rows
 * are staged in a temp table as they arrive (multi-row VALUES, in the batch's transaction), and the
 * commit upserts them all with one `INSERT … SELECT … ON CONFLICT`, in the order they came.
 *
 * One statement, not one per 50 rows: the commit runs inside the sink's after-batch savepoint, where
 * every statement with triggers copies each page it changes into the savepoint's journal again
 * (SQLite empties that journal only when the outermost savepoint ends). Upserting Cowrie sessions 50
 * at a time grew the writer by about 200 MB over 1M events and cost more than the grouping it saved.
 */
export class SqliteSummaryUpserter {
  private readonly stage: SqliteRowInserter;
  private readonly upsert: Database.Statement;
  private readonly clear: Database.Statement;

  constructor(db: Database.Database, table: TableSpec) {
    const columns = table.columns.map((c) => `"${c.name}"`).join(', ');
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (${columns})`);
    this.stage = new SqliteRowInserter(db, { ...table, name: STAGING, sqliteOnConflict: undefined });
    this.clear = db.prepare(`DELETE FROM temp.${STAGING}`);
    const key = table.uniqueKey.map((c) => `"${c}"`).join(', ');
    // WHERE true: without it SQLite would read ON CONFLICT as the ON of a join.
    this.upsert = db.prepare(
      `INSERT INTO main."${table.name}" (${columns}) SELECT ${columns} FROM temp.${STAGING} WHERE true ORDER BY rowid ` +
        `ON CONFLICT (${key}) ${table.sqliteOnConflict ?? 'DO NOTHING'}`,
    );
  }

  /** Stages a chunk's summary rows, in the caller's transaction. */
  add(rows: EncodedRows): void {
    this.stage.insert(rows);
  }

  /** Upserts what was staged, in order, and empties the staging table. */
  write(): void {
    try {
      this.upsert.run();
    } finally {
      this.clear.run();
    }
  }

  /** Drops what was staged (the batch is kept another way). */
  discard(): void {
    this.clear.run();
  }
}
