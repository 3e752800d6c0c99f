/** One numbered PostgreSQL schema change, as SQL text run in a transaction. */
export interface PostgresMigration {
  /** 1, 2, 3, ...: the schema version this migration brings the component to. */
  version: number;
  /** What it changes, recorded in `schema_version`. */
  description: string;
  /** The statements, run in one transaction. */
  sql: string;
}
