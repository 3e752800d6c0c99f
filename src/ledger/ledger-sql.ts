/** The ledger table, shared by the SQLite and PostgreSQL ledgers and by SQL sinks that complete units. */
export const LEDGER_TABLE = 'sluice_ledger';

export const LEDGER_SQLITE_DDL = `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING','PROCESSING','COMPLETED','FAILED')),
  attempts INTEGER NOT NULL DEFAULT 0,
  size INTEGER,
  error TEXT,
  last_attempt TEXT,
  processed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  lease_until TEXT,
  next_attempt_at TEXT,
  sort_key TEXT NOT NULL,
  worker TEXT,
  PRIMARY KEY (bucket, key)
);
CREATE INDEX IF NOT EXISTS ${LEDGER_TABLE}_due ON ${LEDGER_TABLE}(bucket, status, sort_key);`;

export const LEDGER_POSTGRES_DDL = `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING','PROCESSING','COMPLETED','FAILED')),
  attempts INTEGER NOT NULL DEFAULT 0,
  size BIGINT,
  error TEXT,
  last_attempt TIMESTAMPTZ,
  processed_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  lease_until TIMESTAMPTZ,
  next_attempt_at TIMESTAMPTZ,
  sort_key TEXT NOT NULL,
  worker TEXT,
  PRIMARY KEY (bucket, key)
);
CREATE INDEX IF NOT EXISTS ${LEDGER_TABLE}_due ON ${LEDGER_TABLE}(bucket, status, sort_key);`;

/**
 * Version 2 of the ledger: claims read the open units of a bucket in order straight off this partial
 * index instead of sorting every unit of the bucket (claims had slowed down as the ledger grew).
 * The same statement works in SQLite and PostgreSQL.
 */
export const LEDGER_OPEN_INDEX = `CREATE INDEX IF NOT EXISTS ${LEDGER_TABLE}_open ON ${LEDGER_TABLE}(bucket, sort_key, key)
  WHERE status IN ('PENDING', 'PROCESSING')`;

/**
 * Version 3 of the ledger: what the unit was when listed (S3 ETag, or size and mtime of a file), so
 * a unit replaced by different content under the same name is done again.
 */
export const LEDGER_VERSION_COLUMN_PG = `ALTER TABLE ${LEDGER_TABLE} ADD COLUMN IF NOT EXISTS version TEXT`;

/** The same for SQLite, which has no `ADD COLUMN IF NOT EXISTS` (the ledger and a sink may share a file). */
export function addSqliteLedgerVersion(db: { prepare(sql: string): { all(): unknown[] }; exec(sql: string): unknown }): void {
  const columns = db.prepare(`PRAGMA table_info(${LEDGER_TABLE})`).all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'version')) db.exec(`ALTER TABLE ${LEDGER_TABLE} ADD COLUMN version TEXT`);
}

/** Version 4 of the PostgreSQL ledger: the boot id of the claiming worker's host (see `addSqliteLedgerWorkerBoot`). */
export const LEDGER_WORKER_BOOT_COLUMN_PG = `ALTER TABLE ${LEDGER_TABLE} ADD COLUMN IF NOT EXISTS worker_boot TEXT`;

/** Adds `worker_boot` (the boot id of the claiming worker's host), once: with `worker` (`host:pid`) it tells a dead holder. */
export function addSqliteLedgerWorkerBoot(db: { prepare(sql: string): { all(): unknown[] }; exec(sql: string): unknown }): void {
  const columns = db.prepare(`PRAGMA table_info(${LEDGER_TABLE})`).all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'worker_boot')) db.exec(`ALTER TABLE ${LEDGER_TABLE} ADD COLUMN worker_boot TEXT`);
}

/**
 * The conflict clause of `register`: a COMPLETED or FAILED unit whose version changed is PENDING
 * again with its attempts reset; a unit listed before versions were kept just gets one.
 * `$now` is the dialect's current time expression.
 */
export function registerConflictSql(now: string): string {
  const L = LEDGER_TABLE;
  const reset = (column: string, value: string): string => `${column} = CASE WHEN ${L}.version IS NULL THEN ${L}.${column} ELSE ${value} END`;
  return `ON CONFLICT (bucket, key) DO UPDATE SET version = excluded.version, size = excluded.size,
    ${reset('status', `'PENDING'`)}, ${reset('attempts', '0')}, ${reset('error', 'NULL')},
    ${reset('processed_at', 'NULL')}, ${reset('next_attempt_at', 'NULL')}, ${reset('lease_until', 'NULL')},
    updated_at = ${now}
    WHERE excluded.version IS NOT NULL
      AND (${L}.version IS NULL OR (${L}.version <> excluded.version AND ${L}.status IN ('COMPLETED', 'FAILED')))`;
}

/** The UPDATE a SQL sink runs in its batch transaction when a unit's rows are all written. */
export const COMPLETE_SQL = {
  sqlite: `UPDATE ${LEDGER_TABLE} SET status = 'COMPLETED', processed_at = ?, updated_at = ?, lease_until = NULL, error = NULL
    WHERE bucket = ? AND key = ?`,
  postgres: `UPDATE ${LEDGER_TABLE} SET status = 'COMPLETED', processed_at = now(), updated_at = now(), lease_until = NULL, error = NULL
    WHERE bucket = $1 AND key = $2`,
};
