import type Database from 'better-sqlite3';

/** One numbered schema change. Migrations of a component run in order, each in a transaction. */
export interface Migration {
  /** 1, 2, 3, ...: the schema version this migration brings the component to. */
  version: number;
  /** What it changes, recorded in `schema_version`. */
  description: string;
  /** Applies the change. */
  up(db: Database.Database): void;
}
