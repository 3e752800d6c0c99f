import type Database from 'better-sqlite3';
import { bootId, processIsGone } from '../core/process-liveness.js';
import { openSqliteDatabase } from '../db/sqlite/open-database.js';
import { migrate } from '../db/sqlite/schema-versions.js';
import { backoffSeconds, type ClaimOptions, type DiscoveredUnit, type Ledger, type LedgerPage, type LedgerUnit, type UnitStatus } from './ledger.js';
import { addSqliteLedgerVersion, addSqliteLedgerWorkerBoot, COMPLETE_SQL, LEDGER_OPEN_INDEX, LEDGER_SQLITE_DDL, LEDGER_TABLE, registerConflictSql } from './ledger-sql.js';

interface Row {
  bucket: string;
  key: string;
  status: UnitStatus;
  attempts: number;
  size: number;
  error: string | null;
  last_attempt: string | null;
  processed_at: string | null;
  created_at: string;
  updated_at: string;
  lease_until: string | null;
  next_attempt_at: string | null;
  sort_key: string;
  worker: string | null;
}

const DUE = `status IN ('PENDING', 'PROCESSING') AND ((status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= @now))
  OR (status = 'PROCESSING' AND lease_until < @now))`;

/**
 * The ledger in a SQLite file (by default the sink's own database). Claims run in `BEGIN IMMEDIATE`
 * transactions, so several processes on one file still hand each unit to one of them.
 */
export class SqliteLedger implements Ledger {
  readonly description: string;
  private db: Database.Database | undefined;

  constructor(
    private readonly path: string,
    private readonly pageSize?: number,
  ) {
    this.description = `sqlite:${path}`;
  }

  async open(): Promise<void> {
    this.db = openSqliteDatabase(this.path, { pageSize: this.pageSize });
    migrate(this.db, 'ledger', [
      { version: 1, description: 'sluice_ledger', up: (db) => db.exec(LEDGER_SQLITE_DDL) },
      { version: 2, description: 'partial index of open units', up: (db) => db.exec(LEDGER_OPEN_INDEX) },
      { version: 3, description: 'version of each unit (a changed unit is done again)', up: addSqliteLedgerVersion },
      { version: 4, description: 'boot id of the holding worker (a dead holder on this host is known at once)', up: addSqliteLedgerWorkerBoot },
    ]);
  }

  async register(units: readonly DiscoveredUnit[]): Promise<number> {
    const now = new Date().toISOString();
    const insert = this.conn.prepare(`INSERT INTO ${LEDGER_TABLE} (bucket, key, status, size, sort_key, version, created_at, updated_at)
      VALUES (@bucket, @key, 'PENDING', @size, @sortKey, @version, @now, @now) ${registerConflictSql('@now')}`);
    return this.conn.transaction(() =>
      units.reduce((n, u) => n + insert.run({ bucket: u.bucket, key: u.key, size: u.size, sortKey: u.sortKey, version: u.version ?? null, now }).changes, 0),
    )();
  }

  async claim(
    bucket: string,
    worker: string,
    leaseSec: number,
    limit: number,
    maxAttempts = Number.MAX_SAFE_INTEGER,
    options: ClaimOptions = {},
  ): Promise<LedgerUnit[]> {
    const counted = options.ahead ? 0 : 1;
    const now = new Date();
    this.lapseDeadHolders(bucket, worker);
    this.conn
      .prepare(`UPDATE ${LEDGER_TABLE} SET status = 'FAILED', lease_until = NULL, updated_at = @now,
        error = coalesce(error, 'lease lapsed ' || attempts || ' times (the worker died on it)')
        WHERE bucket = @bucket AND status = 'PROCESSING' AND lease_until < @now AND attempts >= @max`)
      .run({ bucket, now: now.toISOString(), max: maxAttempts });
    const lease = new Date(now.getTime() + leaseSec * 1000).toISOString();
    const select = this.conn.prepare<{ bucket: string; now: string; limit: number }, Row>(
      `SELECT * FROM ${LEDGER_TABLE} WHERE bucket = @bucket AND ${DUE} ORDER BY sort_key, key LIMIT @limit`,
    );
    const take = this.conn.prepare(`UPDATE ${LEDGER_TABLE} SET status = 'PROCESSING', attempts = attempts + ?,
      last_attempt = CASE WHEN ? = 1 THEN ? ELSE last_attempt END,
      lease_until = ?, worker = ?, worker_boot = ?, updated_at = ?, next_attempt_at = NULL WHERE bucket = ? AND key = ?`);
    const claimTx = this.conn.transaction(() => {
      const rows = select.all({ bucket, now: now.toISOString(), limit });
      const boot = bootId();
      for (const r of rows) take.run(counted, counted, now.toISOString(), lease, worker, boot, now.toISOString(), r.bucket, r.key);
      return rows.map((r) => toUnit({ ...r, status: 'PROCESSING', attempts: r.attempts + counted, lease_until: lease, worker }));
    });
    return claimTx.immediate();
  }

  /**
   * Ends at once the leases of workers on this host that are gone (their pid is free, or the host
   * rebooted since they claimed): a SIGKILLed run's units are due again without waiting out
   * `--lease-sec`. Their attempts stay counted, so a unit that kills its worker still ends FAILED.
   */
  private lapseDeadHolders(bucket: string, me: string): void {
    const holders = this.conn
      .prepare<[string, string], { worker: string; boot: string | null }>(
        `SELECT DISTINCT worker, worker_boot AS boot FROM ${LEDGER_TABLE} WHERE bucket = ? AND status = 'PROCESSING' AND worker IS NOT NULL AND worker <> ?`,
      )
      .all(bucket, me);
    const lapse = this.conn.prepare(`UPDATE ${LEDGER_TABLE} SET lease_until = ? WHERE bucket = ? AND status = 'PROCESSING' AND worker = ?`);
    for (const h of holders) {
      const at = h.worker.lastIndexOf(':');
      if (at < 0 || !processIsGone(h.worker.slice(0, at), Number(h.worker.slice(at + 1)), h.boot ?? '')) continue;
      lapse.run(new Date(0).toISOString(), bucket, h.worker);
    }
  }

  async begin(bucket: string, key: string, leaseSec: number, worker: string): Promise<boolean> {
    const now = Date.now();
    const r = this.conn
      .prepare(`UPDATE ${LEDGER_TABLE} SET attempts = attempts + 1, last_attempt = @now, lease_until = @lease, updated_at = @now
        WHERE bucket = @bucket AND key = @key AND status = 'PROCESSING' AND worker = @worker`)
      .run({ lease: new Date(now + leaseSec * 1000).toISOString(), now: new Date(now).toISOString(), bucket, key, worker });
    return r.changes > 0;
  }

  async complete(bucket: string, key: string): Promise<void> {
    const now = new Date().toISOString();
    this.conn.prepare(COMPLETE_SQL.sqlite).run(now, now, bucket, key);
  }

  async fail(bucket: string, key: string, error: string, maxAttempts: number, backoffBaseSec: number): Promise<UnitStatus> {
    const row = this.conn.prepare<[string, string], Row>(`SELECT * FROM ${LEDGER_TABLE} WHERE bucket = ? AND key = ?`).get(bucket, key);
    const attempts = row?.attempts ?? maxAttempts;
    const status: UnitStatus = attempts >= maxAttempts ? 'FAILED' : 'PENDING';
    const now = new Date();
    const next = status === 'PENDING' ? new Date(now.getTime() + backoffSeconds(attempts, backoffBaseSec) * 1000).toISOString() : null;
    this.conn
      .prepare(`UPDATE ${LEDGER_TABLE} SET status = ?, error = ?, next_attempt_at = ?, lease_until = NULL, updated_at = ?
        WHERE bucket = ? AND key = ?`)
      .run(status, error, next, now.toISOString(), bucket, key);
    return status;
  }

  async nextDue(bucket: string): Promise<string | null> {
    const r = this.conn
      .prepare<[string], { t: string | null }>(
        `SELECT min(coalesce(next_attempt_at, lease_until, '')) AS t FROM ${LEDGER_TABLE}
         WHERE bucket = ? AND status IN ('PENDING', 'PROCESSING')`,
      )
      .get(bucket);
    return r?.t ?? null;
  }

  async list(filter: { status?: UnitStatus | undefined; bucket?: string | undefined; limit: number; page: number }): Promise<LedgerPage> {
    const where = 'WHERE (@status IS NULL OR status = @status) AND (@bucket IS NULL OR bucket = @bucket)';
    const params = { status: filter.status ?? null, bucket: filter.bucket ?? null, limit: filter.limit, offset: (filter.page - 1) * filter.limit };
    const total = (this.conn.prepare(`SELECT count(*) AS n FROM ${LEDGER_TABLE} ${where}`).get(params) as { n: number }).n;
    const rows = this.conn
      .prepare<typeof params, Row>(`SELECT * FROM ${LEDGER_TABLE} ${where} ORDER BY updated_at DESC, key LIMIT @limit OFFSET @offset`)
      .all(params);
    return { units: rows.map(toUnit), total };
  }

  async retry(target: { key: string } | { allFailed: true }): Promise<number> {
    const set = `SET status = 'PENDING', attempts = 0, next_attempt_at = NULL, lease_until = NULL, updated_at = ?`;
    const now = new Date().toISOString();
    if ('key' in target) return this.conn.prepare(`UPDATE ${LEDGER_TABLE} ${set} WHERE key = ?`).run(now, target.key).changes;
    return this.conn.prepare(`UPDATE ${LEDGER_TABLE} ${set} WHERE status = 'FAILED'`).run(now).changes;
  }

  async statusOf(key: string): Promise<UnitStatus | null> {
    const row = this.conn.prepare(`SELECT status FROM ${LEDGER_TABLE} WHERE key = ? LIMIT 1`).get(key) as { status: UnitStatus } | undefined;
    return row?.status ?? null;
  }

  async release(key: string): Promise<boolean> {
    const now = new Date().toISOString();
    return (
      this.conn
        .prepare(`UPDATE ${LEDGER_TABLE} SET status = 'PENDING', lease_until = NULL, updated_at = ? WHERE key = ? AND status = 'PROCESSING'`)
        .run(now, key).changes > 0
    );
  }

  async releaseHeldBy(worker: string): Promise<number> {
    const now = new Date().toISOString();
    return this.conn
      .prepare(`UPDATE ${LEDGER_TABLE} SET status = 'PENDING', lease_until = NULL, updated_at = ? WHERE worker = ? AND status = 'PROCESSING'`)
      .run(now, worker).changes;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  private get conn(): Database.Database {
    if (!this.db) throw new Error('SqliteLedger used before open()');
    return this.db;
  }
}

function toUnit(r: Row): LedgerUnit {
  return {
    bucket: r.bucket,
    key: r.key,
    size: r.size,
    sortKey: r.sort_key,
    status: r.status,
    attempts: r.attempts,
    error: r.error,
    lastAttempt: r.last_attempt,
    processedAt: r.processed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    leaseUntil: r.lease_until,
    nextAttemptAt: r.next_attempt_at,
    worker: r.worker,
  };
}
