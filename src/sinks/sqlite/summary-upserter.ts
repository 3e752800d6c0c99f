import type Database from 'better-sqlite3';
import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { TableSpec } from '../../core/rows/table-spec.js';
import { SqliteRowInserter, type RowidRange } from './row-inserter.js';

/** The connection's staging table (temp schema: in memory with the sink's temp_store, seen by no other connection). */
const STAGING = 'sluice_batch_summary';

/**
 * Runs of chunks a batch keeps apart at most; more (duplicates scattered all through it) and the
 * statements keep the whole batch in one go.
 */
const MAX_RUNS = 8;

/** A run of a batch's chunks kept one way: staged summary rows (their staging rowids), or rows without one (their rowids). */
interface Segment {
  staged: boolean;
  first: number;
  last: number;
}

/** How many runs of chunks a batch kept from their summaries, and by the statements. */
export interface SummaryWays {
  summary: number;
  statements: number;
}

/**
 * Keeps the tables of a profile's summary (`Profile.sqliteBatchSummary`) for one batch at a time.
 * Each chunk's summary rows are staged in a temp table as the chunk arrives (multi-row VALUES, in
 * the batch's transaction); a chunk whose summary cannot stand for its rows (a duplicate left out, no
 * summary) is noted by its rowids instead. The commit then takes the chunks in order: staged rows
 * upserted with one `INSERT … SELECT … ON CONFLICT` per run of such chunks, the others by the
 * statements the summary replaces, over their rowids. Either way a chunk's sessions merge into the
 * table by the same rules, in the order they came.
 *
 * One upsert statement per run, not one per 50 rows: the commit runs inside the sink's after-batch
 * savepoint, where every statement with triggers copies each page it changes into the savepoint's
 * journal again (SQLite empties that journal only when the outermost savepoint ends). Upserting
 * Cowrie sessions 50 at a time grew the writer by about 200 MB over 1M events and cost more than the
 * grouping it saved.
 */
export class SqliteSummaryUpserter {
  private readonly stage: SqliteRowInserter;
  private readonly upsert: Database.Statement;
  private readonly clear: Database.Statement;
  private segments: Segment[] = [];

  constructor(
    db: Database.Database,
    table: TableSpec,
    /** The after-batch statements the summary stands for, run over the rowids of chunks without one. */
    private readonly replaced: readonly Database.Statement[],
  ) {
    const columns = table.columns.map((c) => `"${c.name}"`).join(', ');
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (${columns})`);
    this.stage = new SqliteRowInserter(db, { name: STAGING, columns: table.columns, uniqueKey: table.uniqueKey });
    this.clear = db.prepare(`DELETE FROM temp.${STAGING}`);
    const key = table.uniqueKey.map((c) => `"${c}"`).join(', ');
    this.upsert = db.prepare(
      `INSERT INTO main."${table.name}" (${columns}) SELECT ${columns} FROM temp.${STAGING} WHERE rowid BETWEEN ? AND ? ORDER BY rowid ` +
        `ON CONFLICT (${key}) ${table.sqliteOnConflict ?? 'DO NOTHING'}`,
    );
  }

  /**
   * A chunk's new rows (`rowids`, consecutive) and the summary that stands for them, or undefined
   * when none does: its rows are then kept by the replaced statements at the commit.
   */
  add(rowids: { first: number; last: number }, summary: EncodedRows | undefined): void {
    if (summary === undefined) {
      this.extend(false, rowids.first, rowids.last);
      return;
    }
    const staged: RowidRange = { first: undefined, last: undefined };
    this.stage.insert(summary, staged);
    if (staged.first !== undefined && staged.last !== undefined) this.extend(true, staged.first, staged.last);
  }

  /**
   * Keeps the chunks of the batch (new rows `first`..`last`) in order, in the caller's transaction
   * and savepoint. They stay noted, and their rows staged, until `done`: a statement that fails here
   * or after is taken back by the savepoint, and the commit can be tried again.
   */
  write(first: number, last: number): SummaryWays {
    if (this.segments.length > MAX_RUNS) {
      // Duplicates scattered through the batch: the statements once over all of it, rather than
      // many small statements that each journal their pages again.
      for (const statement of this.replaced) statement.run({ first_rowid: first, last_rowid: last });
      return { summary: 0, statements: 1 };
    }
    const ways: SummaryWays = { summary: 0, statements: 0 };
    for (const s of this.segments) {
      if (s.staged) this.upsert.run(s.first, s.last);
      else for (const statement of this.replaced) statement.run({ first_rowid: s.first, last_rowid: s.last });
      ways[s.staged ? 'summary' : 'statements'] += 1;
    }
    return ways;
  }

  /** The batch's after-batch statements all went in: empties the staging table (in the savepoint) and forgets the chunks. */
  done(): void {
    this.clear.run();
    this.segments = [];
  }

  /** Forgets the batch's chunks (after a rollback, which took their staged rows back). */
  forget(): void {
    this.segments = [];
  }

  /** Adds rows to the last segment when they are kept the same way and follow it, else starts one. */
  private extend(staged: boolean, first: number, last: number): void {
    const tail = this.segments.at(-1);
    if (tail?.staged === staged && tail.last + 1 === first) tail.last = last;
    else this.segments.push({ staged, first, last });
  }
}
