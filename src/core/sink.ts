import type { BadRecord } from './bad-record.js';
import type { EncodedRows } from './rows/row-chunk.js';

/** How far into one unit the committed rows reach, saved together with them. */
export interface UnitCursor {
  /** Lookup key: the unit's identity within a scope (profile and filters). */
  key: string;
  /** The unit's path as given, for people reading the table. */
  unit: string;
  /** Identity the offset is valid for: `dev:ino` plus a hash of the first bytes. */
  identity: string;
  /** Raw size of the unit when the cursor was written. */
  size: number;
  /** Byte offset just past the last committed record (decompressed bytes for `.gz`). */
  offset: number;
  /** Number of the last committed line. */
  line: number;
  /** True once the unit was read to its end. */
  done: boolean;
  /** A ledger unit (spool): marked COMPLETED in the same transaction when `done`. */
  ledger?: { bucket: string; key: string } | undefined;
}

/** Where the rows handed to `Sink.write` come from. */
export interface RowsOrigin {
  /** The unit's cursor key (identity within a scope); null for a unit without one (stdin). */
  cursorKey: string | null;
  /** The unit as the user named it. */
  unit: string;
}

/** What one commit did. */
export interface CommitResult {
  /** Rows the sink stored. */
  written: number;
  /** Rows it already had (same unique key): counted, not errors. */
  duplicates: number;
}

/**
 * Where rows go. Writes accumulate in an open batch; `commit` makes them durable together with the
 * cursors, atomically where the sink allows it (SQL sinks: one transaction).
 */
export interface Sink {
  /** Short name for logs (`sqlite:logs/bridge.db`). */
  readonly description: string;
  /** A dry run: stores nothing, and what `commit` counts as written are rows it would have stored. */
  readonly storesNothing?: boolean;
  /** Creates or migrates the schema; refuses a schema newer than this build. */
  open(): Promise<void>;
  /** The committed cursor for `key`, if any. */
  readCursor(key: string): Promise<UnitCursor | undefined>;
  /**
   * Adds rows to the open batch (opening one when needed); await it when it returns a promise.
   * `origin` names their unit, for sinks that derive ids from where a row came from (NATS).
   */
  write(rows: EncodedRows, origin?: RowsOrigin): void | Promise<void>;
  /**
   * Sends the open batch on and waits until the destination has settled every row of it; returns
   * the rows it refused for good, for the dead-letter file (committed with the same mark). Only sinks
   * that acknowledge asynchronously (Elasticsearch) have it; it runs just before `commit`.
   */
  flush?(): Promise<BadRecord[]>;
  /** Makes the open batch and these cursors durable together. */
  commit(cursors: readonly UnitCursor[]): Promise<CommitResult>;
  /** Drops the open batch (nothing of it is stored); await it when it returns a promise. */
  rollback(): void | Promise<void>;
  /** Releases the connection. */
  close(): Promise<void>;
  /**
   * Whether `err` (from this sink, or a read of its cursors) means the connection was lost or the
   * server is restarting, not that the data or the schema is wrong. A service job then waits,
   * opens the sink again and goes on from the committed cursors: nothing lost, nothing twice.
   */
  isTransient?(err: unknown): boolean;
  /** What it did by outcome, for the summary (`indexed`, `retried`, `rejected`, ...), when rows alone do not say. */
  outcomes?(): Record<string, number>;
}
