import type { RowValue, TableSpec } from '../core/rows/table-spec.js';
import type { Migration } from '../sinks/sqlite/migration.js';

/** Where `map` sends the rows it makes from one record. */
export interface RowEmitter {
  /** Adds one row to table `table` (index into `Profile.tables`), values in column order. */
  row(table: number, values: readonly RowValue[]): void;
}

/** What `map` decided about a record that it did not turn into rows. */
export type MapVerdict =
  /** The record became zero or more rows (sent to the emitter). */
  | undefined
  /** The record is left out on purpose (e.g. another session than `--session`); counted as skipped. */
  | { skip: true }
  /** The record cannot be used; it goes to the dead-letter file with this reason. */
  | { bad: string };

/** Options every profile understands, from the command line. */
export interface ProfileOptions {
  /** Keep only records of this session (`--session`); others are counted as skipped. */
  session?: string | undefined;
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
  /** Turns one decoded record into rows. Must not throw on bad data: return `{ bad }` instead. */
  map(record: unknown, emit: RowEmitter, options: ProfileOptions): MapVerdict;
}
