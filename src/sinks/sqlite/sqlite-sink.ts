import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import { COMPLETE_SQL } from '../../ledger/ledger-sql.js';
import type { EncodedRows } from '../../core/rows/row-chunk.js';
import { storedColumns } from '../../core/rows/table-spec.js';
import type { Profile } from '../../profiles/profile.js';
import type { CommitResult, Sink, UnitCursor } from '../../core/sink.js';
import { SqliteCursorStore } from './cursor-store.js';
import { ENGINE_SQLITE_MIGRATIONS } from './engine-migrations.js';
import { openSqliteDatabase } from '../../db/sqlite/open-database.js';
import { SqliteRowInserter, type RowidRange } from './row-inserter.js';
import { SqliteSummaryUpserter, type SummaryWays } from './summary-upserter.js';
import { migrate } from '../../db/sqlite/schema-versions.js';

/**
 * The default sink: a SQLite file. Rows and cursors of a batch are written in one transaction, so
 * after a crash at any instant the database holds whole batches and the cursors that match them.
 */
export class SqliteSink implements Sink {
  readonly description: string;
  private db: Database.Database | undefined;
  private cursors: SqliteCursorStore | undefined;
  private inserters: SqliteRowInserter[] = [];
  private inTransaction = false;
  private completeStatement: Database.Statement | undefined;
  private batchRows = 0;
  private batchInserted = 0;
  /** Rowids of the batch's new rows in the profile's after-batch table (`Profile.sqliteAfterBatch`). */
  private readonly afterBatchRange: RowidRange = { first: undefined, last: undefined };
  private afterBatchStatements: Database.Statement[] = [];
  /** Keeps the tables of the profile's summary (`Profile.sqliteBatchSummary`), when it has one. */
  private summary: SqliteSummaryUpserter | undefined;
  /** Runs of chunks whose after-batch tables came from their summaries, and from the statements: for tests and benchmarks. */
  readonly afterBatchWays: SummaryWays = { summary: 0, statements: 0 };

  constructor(
    private readonly path: string,
    private readonly profile: Profile,
  ) {
    this.description = `sqlite:${path}`;
  }

  async open(): Promise<void> {
    const db = openSqliteDatabase(this.path, { pageSize: this.profile.sqlitePageSize });
    this.db = db;
    if (this.profile.sqliteCacheMb) db.pragma(`cache_size = -${Math.round(this.profile.sqliteCacheMb * 1024)}`);
    // A multi-row upsert into a table with triggers keeps a statement journal (the pages it changes,
    // as they were): in memory, not in a temp file (posts: a seventh of the writer's time was its writes).
    db.pragma('temp_store = MEMORY');
    if (this.profile.sqliteCheckpointPages) db.pragma(`wal_autocheckpoint = ${this.profile.sqliteCheckpointPages}`);
    migrate(db, 'sluice', ENGINE_SQLITE_MIGRATIONS);
    migrate(db, this.profile.name, this.profile.sqliteMigrations);
    for (const table of this.profile.tables) assertColumns(db, table.name, storedColumns(table).map((c) => c.name));
    this.cursors = new SqliteCursorStore(db);
    this.inserters = this.profile.tables.map((t) => new SqliteRowInserter(db, t));
    const afterBatch = this.profile.sqliteAfterBatch;
    const over = afterBatch && this.profile.tables[afterBatch.table];
    // The batch's new rows are a rowid range only where rows are inserted or ignored (an upsert that
    // updates moves no rowid) and SQLite picks the rowids.
    if (afterBatch && (!over || over.sqliteOnConflict !== undefined)) {
      throw new Error(`profile ${this.profile.name}: sqliteAfterBatch needs a table of the profile that is inserted, not upserted (table ${afterBatch.table})`);
    }
    const statements = (afterBatch?.statements ?? []).map((sql) => db.prepare(sql));
    const summary = this.profile.sqliteBatchSummary;
    if (summary && (!afterBatch || summary.replaces < 1 || summary.replaces > afterBatch.statements.length)) {
      throw new Error(`profile ${this.profile.name}: sqliteBatchSummary must replace 1 to ${afterBatch?.statements.length ?? 0} of the sqliteAfterBatch statements, not ${summary.replaces}`);
    }
    // The statements a summary replaces run per run of chunks (see SqliteSummaryUpserter); the rest once per batch.
    this.summary = summary && new SqliteSummaryUpserter(db, summary.table, statements.slice(0, summary.replaces));
    this.afterBatchStatements = statements.slice(summary?.replaces ?? 0);
  }

  /** The open connection, for reports and tests that read what was written. */
  get database(): Database.Database {
    if (!this.db) throw new Error('SqliteSink used before open()');
    return this.db;
  }

  async readCursor(key: string): Promise<UnitCursor | undefined> {
    return this.cursors?.read(key);
  }

  write(rows: EncodedRows): void {
    const inserter = this.inserters[rows.table];
    if (!inserter) throw new Error(`profile ${this.profile.name} has no table #${rows.table}`);
    this.begin();
    try {
      const afterBatch = rows.table === this.profile.sqliteAfterBatch?.table;
      const range: RowidRange = { first: undefined, last: undefined };
      const inserted = inserter.insert(rows, afterBatch ? range : undefined);
      this.batchInserted += inserted;
      if (afterBatch && range.first !== undefined && range.last !== undefined) this.addAfterBatchRows(rows, inserted, { first: range.first, last: range.last });
    } catch (err) {
      throw new SluiceError('SLUICE_E_SINK', `write to ${this.description} failed: ${(err as Error).message}`, { cause: err });
    }
    this.batchRows += rows.count;
  }

  async commit(cursors: readonly UnitCursor[]): Promise<CommitResult> {
    this.begin();
    try {
      this.runAfterBatch();
      // The cursor and ledger rows are part of the commit: a failure there is the commit's failure.
      for (const c of cursors) {
        this.cursors?.write(c);
        if (c.done && c.ledger) this.completeUnit(c.ledger.bucket, c.ledger.key);
      }
      this.database.exec('COMMIT');
    } catch (err) {
      throw new SluiceError('SLUICE_E_SINK', `commit to ${this.description} failed: ${(err as Error).message}`, { cause: err });
    }
    this.inTransaction = false;
    const result = { written: this.batchInserted, duplicates: this.batchRows - this.batchInserted };
    this.resetBatch();
    return result;
  }

  rollback(): void {
    if (this.inTransaction) this.database.exec('ROLLBACK');
    this.inTransaction = false;
    this.resetBatch();
  }

  async close(): Promise<void> {
    if (!this.db) return;
    this.rollback();
    this.db.close();
    this.db = undefined;
  }

  /**
   * Notes the new rows of the after-batch table that `rows` gave (rowids `range`). Their summary
   * stands for them only when every row went in (a duplicate left out would still be in it) and was
   * made from texts as they are stored (the driver stores a lone surrogate as U+FFFD, which sorts
   * otherwise); else the statements it replaces keep them.
   */
  private addAfterBatchRows(rows: EncodedRows, inserted: number, range: { first: number; last: number }): void {
    this.afterBatchRange.first ??= range.first;
    this.afterBatchRange.last = range.last;
    const whole = inserted === rows.count && rows.textEncoding !== 'utf16le';
    this.summary?.add(range, whole ? rows.summary : undefined);
  }

  /** The profile's per-batch statements over the batch's new rows, when it inserted any. */
  private runAfterBatch(): void {
    const { first, last } = this.afterBatchRange;
    if (first === undefined || last === undefined) return;
    // All or none of them: a statement that fails leaves the batch as it was before the first one.
    const db = this.database;
    db.exec('SAVEPOINT after_batch');
    try {
      const ways = this.summary?.write(first, last) ?? { summary: 0, statements: 1 };
      for (const statement of this.afterBatchStatements) statement.run({ first_rowid: first, last_rowid: last });
      // Only now: a statement that failed above left the staged rows (taken back by the savepoint) to do again.
      this.summary?.done();
      db.exec('RELEASE after_batch');
      this.afterBatchWays.summary += ways.summary;
      this.afterBatchWays.statements += ways.statements;
    } catch (err) {
      db.exec('ROLLBACK TO after_batch');
      db.exec('RELEASE after_batch');
      throw err;
    }
    // Done for these rows: a COMMIT tried again (still in the transaction) must not count them twice.
    this.afterBatchRange.first = undefined;
    this.afterBatchRange.last = undefined;
  }

  private resetBatch(): void {
    this.batchRows = 0;
    this.batchInserted = 0;
    this.summary?.forget();
    this.afterBatchRange.first = undefined;
    this.afterBatchRange.last = undefined;
  }

  /** The unit's ledger row (when the ledger lives in this database) turns COMPLETED with its rows. */
  private completeUnit(bucket: string, key: string): void {
    const now = new Date().toISOString();
    (this.completeStatement ??= this.database.prepare(COMPLETE_SQL.sqlite)).run(now, now, bucket, key);
  }

  private begin(): void {
    if (this.inTransaction) return;
    this.database.exec('BEGIN');
    this.inTransaction = true;
  }
}

/** A table made by someone else (an older tool) is adopted only when it has every column we write. */
function assertColumns(db: Database.Database, table: string, columns: readonly string[]): void {
  const have = new Set((db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((r) => r.name));
  const missing = columns.filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new SluiceError(
      'SLUICE_E_SCHEMA_CONFLICT',
      `${db.name}: table ${table} exists without column(s) ${missing.join(', ')}`,
    );
  }
}
