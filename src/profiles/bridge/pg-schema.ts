import type { PostgresMigration } from '../../db/postgres/postgres-migration.js';
import { pgColumnsDdl } from '../../db/postgres/pg-columns.js';
import { PLATE_ACTIVITY_POSTGRES_SQL } from './plate-activity.js';
import { EVENTS_TABLE } from './schema.js';
import { TYPE_COUNTS_POSTGRES_SQL } from './type-counts.js';

/**
 * The bridge tables in PostgreSQL: the same `events` as in SQLite (columns from `EVENTS_TABLE`, so
 * they live in one place), with the indexes of SQLite migration 2 under the same names (reports
 * check them). `id` is a `BIGSERIAL`, not an identity column: the sink's staging table is made `LIKE
 * events INCLUDING DEFAULTS`, which carries a serial's default but not an identity.
 * Never edit a released migration: add the next number.
 */
export const BRIDGE_POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'events table of the bridge NDJSON log, with the indexes of the reports',
    sql: `
CREATE TABLE IF NOT EXISTS events (
  id BIGSERIAL PRIMARY KEY,
  ${pgColumnsDdl(EVENTS_TABLE, { keyNotNull: true })}
);
CREATE UNIQUE INDEX IF NOT EXISTS events_session_seq ON events (session_id, seq);
CREATE INDEX IF NOT EXISTS events_ts_ms ON events (ts_ms);
CREATE INDEX IF NOT EXISTS events_type_msg ON events (type, msg);
CREATE INDEX IF NOT EXISTS events_session_ts ON events (session_id, ts_ms, seq);`,
  },
  {
    version: 2,
    description: 'plate_activity: per (session, plate) aggregates of reports hits and last_seen, kept by a statement trigger',
    sql: PLATE_ACTIVITY_POSTGRES_SQL,
  },
  {
    version: 3,
    description: 'type_counts: events per (session, type, msg) for report types, kept by a statement trigger',
    sql: TYPE_COUNTS_POSTGRES_SQL,
  },
];
