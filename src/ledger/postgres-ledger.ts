import type pg from 'pg';
import { createPgPool, redact } from '../db/postgres/pg-pool.js';
import { migratePostgres } from '../db/postgres/pg-migrate.js';
import { backoffSeconds, type ClaimOptions, type DiscoveredUnit, type Ledger, type LedgerPage, type LedgerUnit, type UnitStatus } from './ledger.js';
import { bootId, processIsGone } from '../core/process-liveness.js';
import {
  COMPLETE_SQL,
  LEDGER_OPEN_INDEX,
  LEDGER_POSTGRES_DDL,
  LEDGER_TABLE,
  LEDGER_VERSION_COLUMN_PG,
  LEDGER_WORKER_BOOT_COLUMN_PG,
  registerConflictSql,
} from './ledger-sql.js';

interface Row {
  bucket: string;
  key: string;
  status: UnitStatus;
  attempts: number;
  size: string | null;
  error: string | null;
  last_attempt: Date | null;
  processed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  lease_until: Date | null;
  next_attempt_at: Date | null;
  sort_key: string;
  worker: string | null;
}

const DUE = `status IN ('PENDING', 'PROCESSING') AND ((status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= now()))
  OR (status = 'PROCESSING' AND lease_until < now()))`;

/**
 * The ledger in PostgreSQL: workers on many machines claim units with `FOR UPDATE SKIP LOCKED`, so each
 * due unit goes to exactly one of them; a unit whose worker died is taken again when its lease lapses.
 */
export class PostgresLedger implements Ledger {
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;

  constructor(url: string) {
    this.description = redact(url);
    ({ pool: this.pool, schema: this.schema } = createPgPool(url, 2));
  }

  async open(): Promise<void> {
    await migratePostgres(
      this.pool,
      'ledger',
      [
        { version: 1, description: 'sluice_ledger', sql: LEDGER_POSTGRES_DDL },
        { version: 2, description: 'partial index of open units', sql: LEDGER_OPEN_INDEX },
        { version: 3, description: 'version of each unit (a changed unit is done again)', sql: LEDGER_VERSION_COLUMN_PG },
        { version: 4, description: 'boot id of the holding worker (a dead holder on this host is known at once)', sql: LEDGER_WORKER_BOOT_COLUMN_PG },
      ],
      this.schema,
    );
  }

  async register(units: readonly DiscoveredUnit[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < units.length; i += 1000) {
      const part = units.slice(i, i + 1000);
      const r = await this.pool.query(
        `INSERT INTO ${LEDGER_TABLE} (bucket, key, status, size, sort_key, version)
         SELECT b, k, 'PENDING', s, o, v FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS t(b, k, s, o, v)
         ${registerConflictSql('now()')}`,
        [part.map((u) => u.bucket), part.map((u) => u.key), part.map((u) => u.size), part.map((u) => u.sortKey), part.map((u) => u.version ?? null)],
      );
      added += r.rowCount ?? 0;
    }
    return added;
  }

  async claim(
    bucket: string,
    worker: string,
    leaseSec: number,
    limit: number,
    maxAttempts = 2_000_000_000,
    options: ClaimOptions = {},
  ): Promise<LedgerUnit[]> {
    const counted = options.ahead ? 0 : 1;
    await this.lapseDeadHolders(bucket, worker);
    await this.pool.query(
      `UPDATE ${LEDGER_TABLE} SET status = 'FAILED', lease_until = NULL, updated_at = now(),
         error = coalesce(error, 'lease lapsed ' || attempts || ' times (the worker died on it)')
       WHERE bucket = $1 AND status = 'PROCESSING' AND lease_until < now() AND attempts >= $2`,
      [bucket, maxAttempts],
    );
    const r = await this.pool.query<Row>(
      `UPDATE ${LEDGER_TABLE} l SET status = 'PROCESSING', attempts = l.attempts + $5::int,
         last_attempt = CASE WHEN $5::int = 1 THEN now() ELSE l.last_attempt END,
         lease_until = now() + make_interval(secs => $3), worker = $2, worker_boot = $6, updated_at = now(), next_attempt_at = NULL
       FROM (SELECT bucket, key FROM ${LEDGER_TABLE} WHERE bucket = $1 AND ${DUE}
             ORDER BY sort_key, key LIMIT $4 FOR UPDATE SKIP LOCKED) c
       WHERE l.bucket = c.bucket AND l.key = c.key RETURNING l.*`,
      [bucket, worker, leaseSec, limit, counted, bootId()],
    );
    return r.rows.map(toUnit).sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : a.key < b.key ? -1 : 1));
  }

  /**
   * Ends at once the leases of workers on this host that are gone (their pid is free, or the host
   * rebooted since they claimed), as the SQLite ledger does: a SIGKILLed run's units are due again
   * without waiting out `--lease-sec`. Workers on other hosts cannot be told dead; their leases lapse.
   * Their attempts stay counted, so a unit that kills its worker still ends FAILED.
   */
  private async lapseDeadHolders(bucket: string, me: string): Promise<void> {
    const holders = await this.pool.query<{ worker: string; boot: string | null }>(
      `SELECT DISTINCT worker, worker_boot AS boot FROM ${LEDGER_TABLE} WHERE bucket = $1 AND status = 'PROCESSING' AND worker IS NOT NULL AND worker <> $2`,
      [bucket, me],
    );
    for (const h of holders.rows) {
      const at = h.worker.lastIndexOf(':');
      if (at < 0 || !processIsGone(h.worker.slice(0, at), Number(h.worker.slice(at + 1)), h.boot ?? '')) continue;
      await this.pool.query(
        `UPDATE ${LEDGER_TABLE} SET lease_until = 'epoch' WHERE bucket = $1 AND status = 'PROCESSING' AND worker = $2 AND worker_boot IS NOT DISTINCT FROM $3`,
        [bucket, h.worker, h.boot],
      );
    }
  }

  async begin(bucket: string, key: string, leaseSec: number, worker: string): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE ${LEDGER_TABLE} SET attempts = attempts + 1, last_attempt = now(),
         lease_until = now() + make_interval(secs => $3), updated_at = now()
       WHERE bucket = $1 AND key = $2 AND status = 'PROCESSING' AND worker = $4`,
      [bucket, key, leaseSec, worker],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async complete(bucket: string, key: string): Promise<void> {
    await this.pool.query(COMPLETE_SQL.postgres, [bucket, key]);
  }

  async fail(bucket: string, key: string, error: string, maxAttempts: number, backoffBaseSec: number): Promise<UnitStatus> {
    const r = await this.pool.query<{ attempts: number }>(`SELECT attempts FROM ${LEDGER_TABLE} WHERE bucket = $1 AND key = $2`, [bucket, key]);
    const attempts = r.rows[0]?.attempts ?? maxAttempts;
    const status: UnitStatus = attempts >= maxAttempts ? 'FAILED' : 'PENDING';
    await this.pool.query(
      `UPDATE ${LEDGER_TABLE} SET status = $3, error = $4, lease_until = NULL, updated_at = now(),
         next_attempt_at = CASE WHEN $3 = 'PENDING' THEN now() + make_interval(secs => $5) END
       WHERE bucket = $1 AND key = $2`,
      [bucket, key, status, error, backoffSeconds(attempts, backoffBaseSec)],
    );
    return status;
  }

  async nextDue(bucket: string): Promise<string | null> {
    const r = await this.pool.query<{ t: Date | null }>(
      `SELECT min(coalesce(next_attempt_at, lease_until, now())) AS t FROM ${LEDGER_TABLE}
       WHERE bucket = $1 AND status IN ('PENDING', 'PROCESSING')`,
      [bucket],
    );
    return r.rows[0]?.t?.toISOString() ?? null;
  }

  async list(filter: { status?: UnitStatus | undefined; bucket?: string | undefined; limit: number; page: number }): Promise<LedgerPage> {
    const where = 'WHERE ($1::text IS NULL OR status = $1) AND ($4::text IS NULL OR bucket = $4)';
    const total = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${LEDGER_TABLE} WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR bucket = $2)`,
      [filter.status ?? null, filter.bucket ?? null],
    );
    const rows = await this.pool.query<Row>(
      `SELECT * FROM ${LEDGER_TABLE} ${where} ORDER BY updated_at DESC, key LIMIT $2 OFFSET $3`,
      [filter.status ?? null, filter.limit, (filter.page - 1) * filter.limit, filter.bucket ?? null],
    );
    return { units: rows.rows.map(toUnit), total: Number(total.rows[0]?.n ?? 0) };
  }

  async retry(target: { key: string } | { allFailed: true }): Promise<number> {
    const set = `SET status = 'PENDING', attempts = 0, next_attempt_at = NULL, lease_until = NULL, updated_at = now()`;
    const r =
      'key' in target
        ? await this.pool.query(`UPDATE ${LEDGER_TABLE} ${set} WHERE key = $1`, [target.key])
        : await this.pool.query(`UPDATE ${LEDGER_TABLE} ${set} WHERE status = 'FAILED'`);
    return r.rowCount ?? 0;
  }

  async statusOf(key: string): Promise<UnitStatus | null> {
    const r = await this.pool.query<{ status: UnitStatus }>(`SELECT status FROM ${LEDGER_TABLE} WHERE key = $1 LIMIT 1`, [key]);
    return r.rows[0]?.status ?? null;
  }

  async release(key: string): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE ${LEDGER_TABLE} SET status = 'PENDING', lease_until = NULL, updated_at = now() WHERE key = $1 AND status = 'PROCESSING'`,
      [key],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async releaseHeldBy(worker: string): Promise<number> {
    const r = await this.pool.query(
      `UPDATE ${LEDGER_TABLE} SET status = 'PENDING', lease_until = NULL, updated_at = now() WHERE worker = $1 AND status = 'PROCESSING'`,
      [worker],
    );
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toUnit(r: Row): LedgerUnit {
  return {
    bucket: r.bucket,
    key: r.key,
    size: Number(r.size ?? 0),
    sortKey: r.sort_key,
    status: r.status,
    attempts: r.attempts,
    error: r.error,
    lastAttempt: iso(r.last_attempt),
    processedAt: iso(r.processed_at),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    leaseUntil: iso(r.lease_until),
    nextAttemptAt: iso(r.next_attempt_at),
    worker: r.worker,
  };
}
