import { randomInt } from 'node:crypto';
import pg from 'pg';
import { SluiceError } from '../../core/errors.js';
import type { LdoEntry } from '../ldo-entry.js';
import type { CommitOutcome, LdoRegistry, ListPage, ListQuery, PendingUpload } from './ldo-registry.js';
import { listSql } from './list-sql.js';
import { POSTGRES_REGISTRY_MIGRATIONS } from './postgres-registry-migrations.js';
import { entryOf, type EntryRow } from './sqlite-registry.js';

/** Advisory-lock namespace of serving processes (first key of `pg_advisory_lock(int, int)`). */
const LOCK_SPACE = 0x51c0_0003;
const COLUMNS = 'id, idem_key, ldo_id, filename, content_type, video, size_bytes, sha256, fingerprint, created_at, dir';

/**
 * The registry in PostgreSQL, shared by every replica serving one store. Each process holds a
 * session advisory lock for its lifetime; a reservation whose owner's lock is gone (the process died,
 * its connection closed) is dead, so cleanup never touches another replica's live upload.
 */
export class PostgresRegistry implements LdoRegistry {
  readonly description: string;
  private readonly owner = randomInt(1, 2 ** 31 - 1);
  private lockClient: pg.PoolClient | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    url: URL,
  ) {
    this.description = `postgres://${url.host}${url.pathname} schema ${schema}`;
  }

  /** Connects, runs migrations under a lock and takes this process's liveness lock. */
  static async open(url: string): Promise<PostgresRegistry> {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? 'sluice';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new SluiceError('SLUICE_E_CONFIG', `--registry: schema "${schema}" must be a lower-case SQL name`);
    }
    parsed.searchParams.delete('schema');
    const pool = new pg.Pool({ connectionString: parsed.toString(), max: 8 });
    pool.on('error', () => undefined); // an idle client's error is seen again by the next query
    // A checked-out client whose connection dies (a server restart) must not end the process either.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const registry = new PostgresRegistry(pool, schema, parsed);
    try {
      await registry.migrate();
      await registry.takeLivenessLock();
    } catch (err) {
      await pool.end();
      throw new SluiceError('SLUICE_E_REGISTRY', `cannot open the PostgreSQL registry: ${(err as Error).message}`, { cause: err });
    }
    return registry;
  }

  /**
   * Takes this process's liveness lock on a connection of its own. When that connection dies (the
   * server restarted), the lock is gone with it: it is taken again with back-off, so other replicas'
   * cleanup sees this process alive again as soon as the server is back.
   */
  private async takeLivenessLock(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE, this.owner]);
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    this.lockClient = client;
    client.on('error', (err: Error) => {
      if (this.closed || this.lockClient !== client) return;
      this.lockClient = undefined;
      client.release(err);
      process.stderr.write(`sluice serve: lost ${this.description}: ${err.message}; taking the liveness lock again when it is back\n`);
      void this.relock();
    });
  }

  private async relock(): Promise<void> {
    for (let attempt = 1; !this.closed; attempt += 1) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** Math.min(attempt, 7))).unref());
      if (this.closed) return;
      try {
        await this.takeLivenessLock();
        process.stderr.write(`sluice serve: ${this.description} is back; liveness lock taken again\n`);
        return;
      } catch {
        // still down: try again later
      }
    }
  }

  private t(name: string): string {
    return `"${this.schema}".${name}`;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, this.schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.t('schema_version')} (component text NOT NULL, version int NOT NULL,
        description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
      const { rows } = await client.query<{ v: number | null }>(
        `SELECT max(version) AS v FROM ${this.t('schema_version')} WHERE component = 'ldo_registry'`,
      );
      const current = rows[0]?.v ?? 0;
      const known = POSTGRES_REGISTRY_MIGRATIONS.length;
      if (current > known) {
        throw new SluiceError('SLUICE_E_SCHEMA_TOO_NEW', `registry schema ${this.schema} is at version ${current}; this Sluice knows ${known}`);
      }
      for (const m of POSTGRES_REGISTRY_MIGRATIONS) {
        if (m.version <= current) continue;
        await client.query(m.sql(this.schema));
        await client.query(`INSERT INTO ${this.t('schema_version')} (component, version, description) VALUES ('ldo_registry', $1, $2)`, [
          m.version,
          m.description,
        ]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async reserve(id: string, dir: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.t('ldo_pending')} (id, dir, owner) VALUES ($1, $2, $3)`, [id, dir, this.owner]);
  }

  async commit(entry: LdoEntry): Promise<CommitOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(
        `INSERT INTO ${this.t('ldo_entries')} (${COLUMNS}, status, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'ingested', $12)
         ON CONFLICT (idem_key) DO NOTHING`,
        paramsOf(entry),
      );
      if (inserted.rowCount === 0 && entry.idemKey !== null) {
        await client.query('ROLLBACK');
        const existing = await this.findByKey(entry.idemKey);
        if (existing) return { kind: 'exists', existing };
        throw new SluiceError('SLUICE_E_REGISTRY', `idempotency key ${entry.idemKey} conflicted but was not found`);
      }
      await client.query(`DELETE FROM ${this.t('ldo_pending')} WHERE id = $1`, [entry.id]);
      await client.query('COMMIT');
      return { kind: 'committed' };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async release(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t('ldo_pending')} WHERE id = $1`, [id]);
  }

  async pending(): Promise<PendingUpload[]> {
    const { rows } = await this.pool.query<{ id: string; dir: string; alive: boolean }>(
      `SELECT p.id, p.dir, EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.classid::bigint = $1 AND l.objid::bigint = p.owner AND l.objsubid = 2) AS alive
       FROM ${this.t('ldo_pending')} p`,
      [LOCK_SPACE],
    );
    return rows;
  }

  async findByKey(key: string): Promise<LdoEntry | undefined> {
    const { rows } = await this.pool.query<EntryRow>(`SELECT ${COLUMNS} FROM ${this.t('ldo_entries')} WHERE idem_key = $1`, [key]);
    return rows[0] ? entryOf(rows[0]) : undefined;
  }

  async get(id: string): Promise<LdoEntry | undefined> {
    const { rows } = await this.pool.query<EntryRow>(`SELECT ${COLUMNS} FROM ${this.t('ldo_entries')} WHERE id = $1`, [id]);
    return rows[0] ? entryOf(rows[0]) : undefined;
  }

  async list(query: ListQuery): Promise<ListPage> {
    const sql = listSql(query, (n) => `$${n}`);
    const countSql = sql.filtered
      ? `SELECT count(*)::bigint AS n FROM ${this.t('ldo_entries')} ${sql.countWhere}`
      : `SELECT total AS n FROM ${this.t('ldo_totals')}`;
    const n = sql.pageParams.length;
    const [count, page] = await Promise.all([
      this.pool.query<{ n: string }>(countSql, sql.filtered ? sql.countParams : []),
      this.pool.query<EntryRow>(
        `SELECT ${COLUMNS} FROM ${this.t('ldo_entries')} ${sql.pageWhere} ORDER BY created_ms DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...sql.pageParams, query.limit, query.cursor ? 0 : query.skip],
      ),
    ]);
    return { total: Number(count.rows[0]?.n ?? 0), entries: page.rows.map(entryOf) };
  }

  async remove(id: string): Promise<boolean> {
    const r = await this.pool.query(`DELETE FROM ${this.t('ldo_entries')} WHERE id = $1`, [id]);
    return (r.rowCount ?? 0) > 0;
  }

  async replaceAll(entries: AsyncIterable<LdoEntry>): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${this.t('ldo_entries')}`);
      for await (const e of entries) {
        await client.query(
          `INSERT INTO ${this.t('ldo_entries')} (${COLUMNS}, status, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'ingested', $12)`,
          paramsOf(e),
        );
      }
      await client.query('COMMIT');
      const { rows } = await client.query<{ n: string }>(`SELECT total AS n FROM ${this.t('ldo_totals')}`);
      return Number(rows[0]?.n ?? 0);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.lockClient?.release();
    await this.pool.end();
  }
}

function paramsOf(e: LdoEntry): unknown[] {
  return [e.id, e.idemKey, e.ldoId, e.filename, e.contentType, e.video, e.sizeBytes, e.sha256, e.fingerprint, e.createdAt, e.dir, Date.parse(e.createdAt)];
}
