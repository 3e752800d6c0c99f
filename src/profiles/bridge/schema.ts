import type { TableSpec } from '../../core/rows/table-spec.js';
import type { Migration } from '../../db/sqlite/migration.js';
import { PLATE_ACTIVITY_SQLITE_DDL, PLATE_ACTIVITY_SQLITE_FILL } from './plate-activity.js';
import { TYPE_COUNTS_SQLITE_DDL, TYPE_COUNTS_SQLITE_FILL } from './type-counts.js';

/** Table `events` of the bridge profile: one row per NDJSON record, unique on `(session_id, seq)`. */
export const EVENTS_TABLE: TableSpec = {
  name: 'events',
  uniqueKey: ['session_id', 'seq'],
  columns: [
    { name: 'seq', kind: 'number', sqlType: 'INTEGER', pgType: 'BIGINT', description: 'Per-session sequence number (required).' },
    {
      name: 'ts_ms',
      kind: 'number',
      sqlType: 'INTEGER',
      // Not BIGINT: the fallback to t_rel_ms is fractional (1234.5), which SQLite keeps as REAL and a
      // BIGINT column refuses, failing the whole batch. A double holds every integer ms exactly.
      pgType: 'DOUBLE PRECISION',
      description: 'Process-monotonic ms; falls back to t_rel_ms.',
    },
    { name: 'type', kind: 'text', sqlType: 'TEXT', description: 'event, status, info, error or debug.' },
    { name: 'msg', kind: 'text', sqlType: 'TEXT', description: 'Message, e.g. HIT or T0.' },
    { name: 'plate', kind: 'text', sqlType: 'TEXT', description: 'Target plate the event is about.' },
    { name: 't_rel_ms', kind: 'number', sqlType: 'REAL', pgType: 'DOUBLE PRECISION', description: 'Milliseconds since the shot timer start.' },
    { name: 'session_id', kind: 'text', sqlType: 'TEXT', description: 'Session the record belongs to (required).' },
    // Any JSON number passes the map (SQLite keeps 4.5 or 1e30 as REAL); BIGINT would refuse them.
    { name: 'pid', kind: 'number', sqlType: 'INTEGER', pgType: 'DOUBLE PRECISION', description: 'Process id of the writer.' },
    { name: 'schema', kind: 'text', sqlType: 'TEXT', description: 'Format version named by the record.' },
    {
      name: 'data_json',
      kind: 'text',
      sqlType: 'TEXT',
      description: 'The record\'s `data` object, plus every field without a column under "_extra".',
    },
  ],
};

/** Numbered migrations of the bridge tables. Never edit a released one: add the next number. */
export const BRIDGE_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events table of the bridge NDJSON log, with its indexes',
    up(db) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS events (
          id INTEGER PRIMARY KEY,
          seq INTEGER NOT NULL,
          ts_ms INTEGER,
          type TEXT,
          msg TEXT,
          plate TEXT,
          t_rel_ms REAL,
          session_id TEXT NOT NULL,
          pid INTEGER,
          schema TEXT,
          data_json TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS events_session_seq ON events(session_id, seq);
        CREATE INDEX IF NOT EXISTS events_type ON events(type);
        CREATE INDEX IF NOT EXISTS events_ts_ms ON events(ts_ms);
      `);
    },
  },
  {
    version: 2,
    description: 'indexes for sluice report: (session_id, ts_ms, seq); (type, msg) replaces (type)',
    // (session_id, ts_ms, seq) hands gaps and gap_list their LAG window already in order, covering
    // them; it also serves every --session window. (type, msg) covers `types` and serves all that
    // (type) did, so it replaces it: one index more than migration 1, not two.
    up(db) {
      db.exec(`
        CREATE INDEX IF NOT EXISTS events_session_ts ON events(session_id, ts_ms, seq);
        CREATE INDEX IF NOT EXISTS events_type_msg ON events(type, msg);
        DROP INDEX IF EXISTS events_type;
      `);
    },
  },
  {
    version: 3,
    description: 'plate_activity: per (session, plate) aggregates of reports hits and last_seen, kept per batch',
    // Filled here from the events already there; each batch then merges in its new events.
    up(db) {
      db.exec(PLATE_ACTIVITY_SQLITE_DDL);
      db.exec(PLATE_ACTIVITY_SQLITE_FILL);
    },
  },
  {
    version: 4,
    description: 'type_counts: events per (session, type, msg) for report types, kept per batch',
    // Filled here from the events already there; each batch then adds its new events.
    up(db) {
      db.exec(TYPE_COUNTS_SQLITE_DDL);
      db.exec(TYPE_COUNTS_SQLITE_FILL);
    },
  },
];
