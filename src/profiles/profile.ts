import type { RowValue, TableSpec } from '../core/rows/table-spec.js';
import type { ProfileReports } from '../reports/report.js';
import type { BatchSummary } from './batch-summary.js';
import type { EsDocumentModel } from './es-document-model.js';
import type { PostgresMigration } from '../db/postgres/postgres-migration.js';
import type { Migration } from '../db/sqlite/migration.js';
import type { UnitMemory } from './unit-memory.js';

/** Where `map` sends the rows it makes from one record. */
export interface RowEmitter {
  /** Adds one row to table `table` (index into `Profile.tables`), values in column order. */
  row(table: number, values: readonly RowValue[]): void;
  /** Notes something left out of a record that still went in (a bad vector): counted and logged. */
  warn(message: string): void;
}

/** What `map` decided about a record that it did not turn into rows. */
export type MapVerdict =
  /** The record became zero or more rows (sent to the emitter). */
  | undefined
  /** The record is left out on purpose (e.g. another session than `--session`); counted as skipped. */
  | { skip: true }
  /** The record cannot be used; it goes to the dead-letter file with this reason. */
  | { bad: string };

/** Where a record came from, for profiles whose keys derive from it. */
export interface RecordOrigin {
  /** The unit's name (file name or object key's last part): stable across verbs and locations. */
  unitName: string;
  /** The record's number within the unit (line or element, 1-based). */
  index: number;
  /** What the unit's earlier records left behind (made afresh per unit, fed from its first record). */
  memory: UnitMemory;
  /** The text the record was parsed from, when the decoder read one (a JSON line, an array's element). */
  text?: string | undefined;
}

/** Options every profile understands, from the command line. */
export interface ProfileOptions {
  /** Keep only records of this session (`--session`); others are counted as skipped. */
  session?: string | undefined;
  /**
   * The sink builds JSON documents (Elasticsearch): a profile may fill its transient columns
   * (`stored: false`) with pre-serialized parts, so that work happens in the parser thread.
   */
  documents?: boolean | undefined;
  /** IANA time zone of timestamps written without one (`--tz`); UTC when not given. */
  timeZone?: string | undefined;
}

/**
 * The domain of a job: its tables (with migrations per sink) and its mapping from a decoded record
 * to rows. A profile is plain data and pure functions, so it can run in a parser thread.
 */
export interface Profile {
  /** Name used on the command line (`--profile bridge`). */
  name: string;
  /** One line on what it ingests. */
  description: string;
  /** The tables `map` writes to. */
  tables: readonly TableSpec[];
  /** Numbered SQLite migrations that create and evolve the tables. */
  sqliteMigrations: readonly Migration[];
  /**
   * SQLite page cache of the writer, in MB, when the profile's indexes need more than the default
   * 16 MB to stay fast (random keys: hashes, session ids). Memory is traded for speed on purpose.
   */
  sqliteCacheMb?: number;
  /**
   * Page size (bytes, a power of two from 512 to 65536) of a database the SQLite sink creates, when
   * rows are big: the default 4 KiB holds one 3.5 KB post per page; 16 KiB pages hold four, so an
   * insert touches a quarter as many pages (measured: the writer takes about a fifth less time).
   */
  sqlitePageSize?: number;
  /**
   * WAL pages the SQLite writer lets accumulate before a checkpoint copies them into the database
   * (SQLite's default: 1000). A bulk load that rewrites the same index pages in every transaction
   * writes each of them back once per checkpoint: fewer checkpoints, fewer writes, a bigger WAL file.
   * The checkpoint runs after the commit that crosses the mark, so the WAL file grows to this many
   * pages plus one batch's, and keeps that size while the writer has the database open. With
   * synchronous=NORMAL the WAL is synced only at a checkpoint, so a power cut (not a crash or kill) can
   * undo the batches since the last one rather than about one: rows and cursors go back together, and
   * the source reads them again.
   */
  sqliteCheckpointPages?: number;
  /**
   * Statements the SQLite sink runs once per batch, in the batch's transaction just before its commit,
   * over the rows the batch really inserted into `tables[table]` (duplicates left out): those whose
   * rowid lies between the parameters `$first_rowid` and `$last_rowid` (SQLite gives each new row the
   * next rowid, and no other writer inserts inside the transaction). Tables derived from new rows are
   * kept by one set-based statement per batch instead of a trigger per row. Skipped when the batch
   * inserted no row into that table.
   */
  sqliteAfterBatch?: { table: number; statements: readonly string[] };
  /**
   * The first statements of `sqliteAfterBatch` done without reading the batch's rows back: folded
   * from the rows as the parser thread makes them, staged by the writer, upserted at the commit.
   * Used for a chunk whose every row went in (no duplicate left out) and came with a summary, its
   * texts valid Unicode; the statements keep the other chunks (rows from NATS, say) over their rowids.
   */
  sqliteBatchSummary?: BatchSummary;
  /** Numbered PostgreSQL migrations (SQL text); a profile without them cannot use the postgres sink. */
  postgresMigrations?: readonly PostgresMigration[];
  /**
   * Writers into one PostgreSQL schema take turns, a batch at a time (a transaction-level advisory
   * lock from a batch's first write to its commit), for profiles whose triggers read other rows: a
   * tombstone's trigger cannot see, and so cannot delete, a post that another worker's batch holds
   * uncommitted. Parsing still runs in parallel.
   */
  postgresSerialWriters?: boolean;
  /**
   * Units that are SQLite databases (`.db`, or a `.db.zip` holding one) instead of JSON: their rows,
   * in row-id order, from the first of `tables` that exists, as objects of `columns` (missing
   * columns are null). A spool of this profile takes only such files.
   */
  sqliteUnits?: { tables: readonly string[]; columns: readonly string[] };
  /**
   * Fields of a record that key its rows (`seq`, `session_id`): a record that holds one of them twice
   * with different values is dead-lettered as `duplicate_key` instead of keeping the last one.
   */
  keyFields?: readonly string[];
  /**
   * `map` uses `origin.memory` (keys counted per unit, a run opened by an earlier record), so a unit
   * resumed mid-way is read again from its start: records before the cursor are mapped only to
   * rebuild that memory, their rows dropped. Costs a re-read of the part already stored on resume.
   * A function decides per unit from its first record (JSON lines), so units of a format that needs
   * no memory resume at their cursor.
   */
  unitHistory?: boolean | ((firstRecord: unknown) => boolean);
  /** Turns one decoded record into rows. Must not throw on bad data: return `{ bad }` instead. */
  map(record: unknown, emit: RowEmitter, options: ProfileOptions, origin: RecordOrigin): MapVerdict;
  /** How its rows become Elasticsearch documents; a profile without it cannot use that sink. */
  elasticsearch?: EsDocumentModel;
  /** Its reports (`sluice report NAME`); a profile may have none. */
  reports?: ProfileReports;
}
