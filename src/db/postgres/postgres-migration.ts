import type pg from 'pg';

/** One numbered PostgreSQL schema change, as SQL text run in a transaction. */
export interface PostgresMigration {
  /** 1, 2, 3, ...: the schema version this migration brings the component to. */
  version: number;
  /** What it changes, recorded in `schema_version`. */
  description: string;
  /** The statements, run in one transaction. */
  sql: string;
  /**
   * Work that SQL alone cannot do (keys computed by the profile's own code), run after `sql` in the
   * same transaction, on the same connection (its `search_path` is the sink's schema).
   */
  run?(client: pg.PoolClient): Promise<void>;
}
