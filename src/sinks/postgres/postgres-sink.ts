import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SluiceError } from '../../core/errors.js';
import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { TableSpec } from '../../core/rows/table-spec.js';
import { COMPLETE_SQL, LEDGER_OPEN_INDEX, LEDGER_POSTGRES_DDL } from '../../ledger/ledger-sql.js';
import type { Profile } from '../../profiles/profile.js';
import type { CommitResult, Sink, UnitCursor } from '../sink.js';
import { copyText } from './copy-text.js';
import { migratePostgres } from './pg-migrate.js';
import { createPgPool, redact } from './pg-pool.js';

const CURSORS_DDL = `CREATE TABLE IF NOT EXISTS sluice_cursors (
  key TEXT PRIMARY KEY, unit TEXT NOT NULL, identity TEXT NOT NULL, size BIGINT NOT NULL,
  "offset" BIGINT NOT NULL, line BIGINT NOT NULL, done BOOLEAN NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`;

type CopyStream = ReturnType<typeof copyFrom>;

/**
 * The PostgreSQL sink. Rows stream through `COPY` into a temporary staging table; at commit one
 * `INSERT ... SELECT ... ON CONFLICT DO NOTHING` moves them into the table, and cursors and ledger
 * marks are written in the same transaction, so a unit's rows and its COMPLETED mark land together
 * or not at all.
 */
export class PostgresSink implements Sink {
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private client: pg.PoolClient | undefined;
  private copy: { table: number; stream: CopyStream; done: Promise<unknown> } | undefined;
  private staged = new Set<number>();
  private batchRows = 0;

  constructor(
    url: string,
    private readonly profile: Profile,
  ) {
    this.description = redact(url);
    ({ pool: this.pool, schema: this.schema } = createPgPool(url));
  }

  async open(): Promise<void> {
    if (!this.profile.postgresMigrations) {
      throw new SluiceError('SLUICE_E_UNKNOWN_SINK', `--into: profile ${this.profile.name} has no PostgreSQL schema; use sqlite:PATH`);
    }
    try {
      await migratePostgres(this.pool, 'sluice', [
        { version: 1, description: 'sluice_cursors', sql: CURSORS_DDL },
        { version: 2, description: 'sluice_ledger', sql: LEDGER_POSTGRES_DDL },
        { version: 3, description: 'sluice_ledger: partial index of open units', sql: LEDGER_OPEN_INDEX },
      ], this.schema);
      await migratePostgres(this.pool, this.profile.name, this.profile.postgresMigrations, this.schema);
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      throw new SluiceError('SLUICE_E_SINK', `cannot prepare ${this.description}: ${(err as Error).message}`, { cause: err });
    }
  }

  async readCursor(key: string): Promise<UnitCursor | undefined> {
    const r = await this.pool.query<{ key: string; unit: string; identity: string; size: string; offset: string; line: string; done: boolean }>(
      'SELECT key, unit, identity, size, "offset", line, done FROM sluice_cursors WHERE key = $1',
      [key],
    );
    const row = r.rows[0];
    return row && { ...row, size: Number(row.size), offset: Number(row.offset), line: Number(row.line) };
  }

  async write(rows: EncodedRows): Promise<void> {
    const table = this.table(rows.table);
    const client = await this.begin();
    if (this.copy && this.copy.table !== rows.table) await this.endCopy();
    if (!this.copy) {
      const cols = table.columns.map((c) => `"${c.name}"`).join(', ');
      const stream = client.query(copyFrom(`COPY ${stageName(table)} (${cols}) FROM STDIN`));
      this.copy = { table: rows.table, stream, done: once(stream, 'finish') };
      this.staged.add(rows.table);
    }
    if (!this.copy.stream.write(copyText(rows, table))) await once(this.copy.stream, 'drain');
    this.batchRows += rows.count;
  }

  async commit(cursors: readonly UnitCursor[]): Promise<CommitResult> {
    const client = await this.begin();
    try {
      await this.endCopy();
      let written = 0;
      for (const index of this.staged) {
        const table = this.table(index);
        const cols = table.columns.map((c) => `"${c.name}"`).join(', ');
        const r = await client.query(
          `INSERT INTO "${table.name}" (${cols}) SELECT ${cols} FROM ${stageName(table)} ON CONFLICT DO NOTHING`,
        );
        written += r.rowCount ?? 0;
      }
      for (const c of cursors) {
        await client.query(
          `INSERT INTO sluice_cursors (key, unit, identity, size, "offset", line, done, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now())
           ON CONFLICT (key) DO UPDATE SET unit = excluded.unit, identity = excluded.identity, size = excluded.size,
             "offset" = excluded."offset", line = excluded.line, done = excluded.done, updated_at = now()`,
          [c.key, c.unit, c.identity, c.size, c.offset, c.line, c.done],
        );
        if (c.done && c.ledger) await client.query(COMPLETE_SQL.postgres, [c.ledger.bucket, c.ledger.key]);
      }
      await client.query('COMMIT');
      const result = { written, duplicates: this.batchRows - written };
      this.finishBatch();
      return result;
    } catch (err) {
      await this.rollbackAsync();
      throw new SluiceError('SLUICE_E_SINK', `commit to ${this.description} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async rollback(): Promise<void> {
    await this.rollbackAsync();
  }

  async close(): Promise<void> {
    await this.rollbackAsync();
    await this.pool.end();
  }

  private async begin(): Promise<pg.PoolClient> {
    if (this.client) return this.client;
    const client = await this.pool.connect();
    await client.query('BEGIN');
    for (const table of this.profile.tables) {
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${stageName(table)} (LIKE "${table.name}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
      );
    }
    this.client = client;
    return client;
  }

  private async endCopy(): Promise<void> {
    if (!this.copy) return;
    const { stream, done } = this.copy;
    this.copy = undefined;
    stream.end();
    await done;
  }

  private async rollbackAsync(): Promise<void> {
    const client = this.client;
    if (!client) return;
    // Everything of this batch is forgotten now, before any await: a new batch may begin meanwhile.
    this.client = undefined;
    this.staged = new Set();
    this.batchRows = 0;
    const copy = this.copy;
    this.copy = undefined;
    if (copy) {
      copy.done.catch(() => undefined);
      copy.stream.destroy();
    }
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
  }

  private finishBatch(): void {
    if (this.client) {
      this.client.release();
      this.client = undefined;
    }
    this.staged = new Set();
    this.batchRows = 0;
  }

  private table(index: number): TableSpec {
    const t = this.profile.tables[index];
    if (!t) throw new Error(`profile ${this.profile.name} has no table #${index}`);
    return t;
  }
}

function stageName(table: TableSpec): string {
  return `"sluice_stage_${table.name}"`;
}
