import type { ColumnSpec, TableSpec } from '../../core/rows/table-spec.js';
import type { PostgresMigration } from '../../db/postgres/postgres-migration.js';
import type { Migration } from '../../db/sqlite/migration.js';
import { CONTENT_KEY_MIGRATION, migratePostgresToContentKeys, migrateSqliteToContentKeys } from './content-key-migration.js';

const text = (name: string, description: string, pgType?: string): ColumnSpec => ({
  name,
  kind: 'text',
  sqlType: 'TEXT',
  description,
  ...(pgType ? { pgType } : {}),
});
const int = (name: string, description: string, pgType = 'BIGINT'): ColumnSpec => ({ name, kind: 'number', sqlType: 'INTEGER', description, pgType });

/** Table `logs` with the log-insights ingestor's `Log` fields, plus where each entry came from. */
export const LOGS_TABLE: TableSpec = {
  name: 'logs',
  uniqueKey: ['id'],
  columns: [
    text('id', 'Keyed by content: sha256 of the entry (keys sorted), the n-th repeat within its file apart; the file name plays no part.'),
    text('request_id', 'req.id as logged (a per-process counter, not unique).'),
    text('timestamp', 'log.timestamp, else log.time (epoch ms) as ISO time.', 'TIMESTAMPTZ'),
    text('level', 'Level name: numeric pino levels map to trace..fatal; a string level passes through.'),
    text('method', 'req.method'),
    text('url', 'req.url'),
    text('query', 'req.query (JSON).', 'JSONB'),
    text('headers', 'req.headers (JSON).', 'JSONB'),
    text('context', 'log.context'),
    text('message', 'log.message (or msg)'),
    int('auth_user_id', 'log.authUserId (an integer, else NULL)'),
    int('pid', 'log.pid (an integer that fits INTEGER, else NULL)', 'INTEGER'),
    text('hostname', 'log.hostname'),
    text('remote_address', 'req.remoteAddress'),
    int('remote_port', 'req.remotePort (an integer that fits INTEGER, else NULL)', 'INTEGER'),
    { name: 'processing_time_ms', kind: 'number', sqlType: 'REAL', pgType: 'DOUBLE PRECISION', description: 'log.processingTimeMs' },
    int('cache_hit', 'log.cacheHit (1/0).', 'BOOLEAN'),
    int('document_count', 'log.documentCount (an integer that fits INTEGER, else NULL)', 'INTEGER'),
    text('last_updated', 'log.lastUpdated', 'TIMESTAMPTZ'),
    text('params', 'req.params (JSON).', 'JSONB'),
    text('raw_data', 'The whole entry (JSON text in SQLite, jsonb in PostgreSQL).', 'JSONB'),
    text('source_file', 'File name the entry came from.'),
    int('source_index', 'Entry number within the file (1-based).', 'INTEGER'),
  ],
};

const columnsSql = (dialect: 'sqlite' | 'pg'): string =>
  LOGS_TABLE.columns
    .map((c) => `"${c.name}" ${dialect === 'pg' ? (c.pgType ?? (c.kind === 'text' ? 'TEXT' : 'DOUBLE PRECISION')) : c.sqlType}${c.name === 'id' ? ' PRIMARY KEY' : ''}`)
    .join(',\n  ');

export const APPLOG_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'logs table of app-log entries',
    up(db) {
      db.exec(`CREATE TABLE IF NOT EXISTS logs (
  ${columnsSql('sqlite')},
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX IF NOT EXISTS logs_timestamp ON logs(timestamp);
CREATE INDEX IF NOT EXISTS logs_level ON logs(level);`);
    },
  },
  {
    version: 2,
    description: CONTENT_KEY_MIGRATION,
    up: migrateSqliteToContentKeys,
  },
];

export const APPLOG_POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'logs table of app-log entries',
    sql: `CREATE TABLE IF NOT EXISTS logs (
  ${columnsSql('pg')},
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS logs_timestamp ON logs(timestamp);
CREATE INDEX IF NOT EXISTS logs_level ON logs(level);`,
  },
  { version: 2, description: CONTENT_KEY_MIGRATION, sql: '', run: migratePostgresToContentKeys },
];
