import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SluiceError } from '../../core/errors.js';
import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { TableSpec } from '../../core/rows/table-spec.js';
import { COMPLETE_SQL, LEDGER_OPEN_INDEX, LEDGER_POSTGRES_DDL } from '../../ledger/ledger-sql.js';
import type { Profile } from '../../profiles/profile.js';
import type { CommitResult, Sink, UnitCursor } from '../../core/sink.js';
import { copyBytes } from './copy-bytes.js';
import type { BatchKeys } from './copy-text.js';
import { isUniqueViolation, openCopy, type OpenCopy } from './open-copy.js';
import { dropsRepeatedKeys } from './repeated-keys.js';
import { StagingTable } from './staging-table.js';
import { migratePostgres } from '../../db/postgres/pg-migrate.js';
import { createPgPool, redact } from '../../db/postgres/pg-pool.js';
import { isConnectionLost, isWriteConflict } from '../../db/postgres/pg-transient.js';

const CURSORS_DDL = `CREATE TABLE IF NOT EXISTS sluice_cursors (
  key TEXT PRIMARY KEY, unit TEXT NOT NULL, identity TEXT NOT NULL, size BIGINT NOT NULL,
  "offset" BIGINT NOT NULL, line BIGINT NOT NULL, done BOOLEAN NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`;

/**
 * COPY text kept for a replay into staging: a batch goes straight in by segments of about this size
 * (bigger ones keep strings long enough to grow the heap: 4 MB measured +45 MB of peak RSS, no faster).
 */
const REPLAY_BYTES = 1024 * 1024;

/**
 * The PostgreSQL sink. Rows stream through `COPY` straight into their table, by segments of about
 * 1 MB behind a savepoint, each segment's COPY text kept until its COPY succeeded. A duplicate key
 * rolls only that segment back to the savepoint; its kept text goes the idempotent way, through
 * `COPY` into a temporary staging table and `INSERT ... SELECT ... ON CONFLICT` (`DO NOTHING`, or the
 * table's `postgresOnConflict` upsert: see `StagingTable`), applied at once, and the next segment goes
 * straight in again. So one duplicate costs one segment written twice, not the rest of the batch. A
 * batch whose every segment met a duplicate (a re-run) sends the next batch wholly through staging,
 * until one has no duplicates. Writing once instead of twice is about a fifth less work for
 * PostgreSQL. A straight COPY that succeeded is exactly what the upsert would have done, since no key
 * of it was there (triggers fire for COPY too), and segments are applied in order, so upserts of one
 * key still land in arrival order. Only stored columns are sent. Cursors and ledger marks are written
 * in the same transaction, so a unit's rows and its COMPLETED mark land together or not at all.
 */
export class PostgresSink implements Sink {
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private client: pg.PoolClient | undefined;
  private readonly staging: StagingTable[];
  /**
   * Per table, the column indexes of its unique key when a row whose key came earlier in the same
   * batch can be left out before COPY (see `dropsRepeatedKeys`); else undefined.
   */
  private repeatedKeys: (Omit<BatchKeys, 'seen'> | undefined)[] = [];
  /** The keys this batch has sent, per table (only for tables in `repeatedKeys`). */
  private batchKeys = new Map<number, Map<string, Set<number>>>();
  /** Connections (sessions) whose temporary staging tables exist. */
  private readonly prepared = new WeakSet<pg.PoolClient>();
  private copy: OpenCopy | undefined;
  private staged = new Set<number>();
  private batchRows = 0;
  /** The last batch had no duplicates: the next one is copied straight into its tables. */
  private direct = true;
  /** While this batch goes straight into its tables: its COPY text per table, for a replay. */
  private replay: Map<number, Buffer[]> | undefined;
  private replayBytes = 0;
  /** Rows copied straight into their tables in this batch (as PostgreSQL counts them: not those a trigger skipped): in closed segments, and in the open one. */
  private directRows = 0;
  private segmentRows = 0;
  /** Rows that failed segments of this batch stored through staging (applied already). */
  private stagedRows = 0;
  /** Segments of this batch that went straight in, and that met a duplicate and went through staging. */
  private batchSegments = { copied: 0, staged: 0 };
  /**
   * Segments since the sink was made: copied straight into their tables, or sent through staging
   * after a duplicate key (a batch that went wholly through staging counts as one staged segment).
   */
  readonly segments = { copied: 0, staged: 0 };

  constructor(
    url: string,
    private readonly profile: Profile,
    /** COPY text kept for a replay, per segment of a batch (tests make it small). */
    private readonly replayLimit = REPLAY_BYTES,
  ) {
    this.description = redact(url);
    ({ pool: this.pool, schema: this.schema } = createPgPool(url));
    this.staging = profile.tables.map((t) => new StagingTable(t));
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
      this.repeatedKeys = await Promise.all(this.profile.tables.map((t) => dropsRepeatedKeys(this.pool, t)));
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
    try {
      await this.writeRows(rows);
    } catch (err) {
      // A lost connection or a write conflict stays as it is: a service waits it out and reconnects (`isTransient`).
      if (err instanceof SluiceError || this.isTransient(err)) throw err;
      throw new SluiceError('SLUICE_E_SINK', `write to ${this.description} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private async writeRows(rows: EncodedRows): Promise<void> {
    const table = this.table(rows.table);
    await this.begin();
    const text = copyBytes(rows, table, this.keysOf(rows.table));
    this.batchRows += rows.count;
    if (!this.replay) {
      await this.writeCopy(rows.table, text, true);
      return;
    }
    // A segment is closed when its kept text would grow too big: once its COPY succeeded, its rows
    // are in and need no replay.
    if (this.replayBytes > 0 && this.replayBytes + text.length > this.replayLimit) await this.checkpoint();
    if (!this.replay) {
      await this.writeCopy(rows.table, text, true);
      return;
    }
    let kept = this.replay.get(rows.table);
    if (!kept) this.replay.set(rows.table, (kept = []));
    kept.push(text);
    this.replayBytes += text.length;
    try {
      await this.writeCopy(rows.table, text, false);
    } catch (err) {
      await this.toStaging(err); // this text is replayed with the rest of the segment
    }
  }

  private keysOf(index: number): BatchKeys | undefined {
    const key = this.repeatedKeys[index];
    if (!key) return undefined;
    let seen = this.batchKeys.get(index);
    if (!seen) this.batchKeys.set(index, (seen = new Map()));
    return { ...key, seen };
  }

  /** Ends the straight COPY of this segment; once it succeeded, the next segment starts from here. */
  private async checkpoint(): Promise<void> {
    try {
      await this.endCopy();
    } catch (err) {
      await this.toStaging(err);
      return;
    }
    this.countSegment('copied');
    await this.nextSegment();
  }

  /** The rows so far stay: the next segment starts from a new savepoint, with nothing kept. */
  private async nextSegment(): Promise<void> {
    await (await this.begin()).query('RELEASE SAVEPOINT sluice_direct; SAVEPOINT sluice_direct');
    this.directRows += this.segmentRows;
    this.segmentRows = 0;
    this.replay = new Map();
    this.replayBytes = 0;
  }

  private countSegment(how: 'copied' | 'staged'): void {
    this.batchSegments[how] += 1;
    this.segments[how] += 1;
  }

  /** Writes COPY text for a table into its staging table or straight into it. */
  private async writeCopy(index: number, text: Buffer, staging: boolean): Promise<void> {
    const client = await this.begin();
    if (this.copy && this.copy.table !== index) await this.endCopy();
    if (!this.copy) {
      const stage = this.stagingOf(index);
      const into = staging ? stage.name : `"${this.table(index).name}"`;
      const stream = client.query(copyFrom(`COPY ${into} (${stage.columns}) FROM STDIN`));
      this.copy = openCopy(index, staging, stream);
      if (staging) this.staged.add(index);
    }
    const copy = this.copy;
    // A refused row (a duplicate key) is reported while the COPY is still open, as PostgreSQL checks
    // rows in batches: from then on the stream must not be written, ended or destroyed.
    if (copy.error) throw copy.error;
    if (!copy.stream.write(text)) await Promise.race([once(copy.stream, 'drain'), copy.done]);
    if (copy.error) throw copy.error;
  }

  /**
   * Sends the failed segment (a duplicate key) the idempotent way: back to the savepoint, its kept
   * text through staging into the tables, then on with the next segment straight in. Other failures
   * are thrown.
   */
  private async toStaging(cause: unknown): Promise<void> {
    const client = await this.begin();
    const kept = this.replay ?? new Map<number, Buffer[]>();
    this.replay = undefined;
    this.replayBytes = 0;
    this.segmentRows = 0;
    const copy = this.copy;
    this.copy = undefined;
    if (copy) {
      if (!copy.error) copy.stream.end();
      await copy.done.catch((err: unknown) => {
        if (!isUniqueViolation(err)) throw err;
      });
    }
    if (!isUniqueViolation(cause)) throw cause;
    await client.query('ROLLBACK TO SAVEPOINT sluice_direct');
    for (const [index, texts] of kept) for (const text of texts) await this.writeCopy(index, text, true);
    await this.endCopy();
    this.stagedRows += await this.applyStaged(client);
    this.countSegment('staged');
    await this.nextSegment();
  }

  /** Moves what the staging tables hold into the tables and empties them; returns the rows stored. */
  private async applyStaged(client: pg.PoolClient): Promise<number> {
    let written = 0;
    for (const index of this.staged) {
      const stage = this.stagingOf(index);
      written += await stage.apply(client);
      await stage.empty(client);
    }
    this.staged = new Set();
    return written;
  }

  async commit(cursors: readonly UnitCursor[]): Promise<CommitResult> {
    const client = await this.begin();
    try {
      if (this.replay) {
        const segmentOpen = this.replayBytes > 0;
        try {
          await this.endCopy();
          if (segmentOpen) this.countSegment('copied');
        } catch (err) {
          await this.toStaging(err);
        }
      }
      await this.endCopy(); // the staging COPY of a batch that went wholly through staging
      if (!this.direct && this.staged.size > 0) this.countSegment('staged');
      const written = this.directRows + this.segmentRows + this.stagedRows + (await this.applyStaged(client));
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
      // Straight in again unless no segment of this batch could go straight in (a re-run), or the
      // batch went through staging and still had duplicates.
      this.direct = this.direct ? this.batchSegments.copied > 0 || this.batchSegments.staged === 0 : result.duplicates === 0;
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

  /**
   * A lost connection, or a batch PostgreSQL aborted for a concurrent writer's sake (two writers'
   * statement triggers can deadlock on the same summary rows): a service opens the sink again and
   * goes on from the committed cursors, so the aborted batch is written again, once.
   */
  isTransient(err: unknown): boolean {
    return isConnectionLost(err) || isWriteConflict(err);
  }

  private async begin(): Promise<pg.PoolClient> {
    if (this.client) return this.client;
    const client = await this.pool.connect();
    if (!this.prepared.has(client)) {
      try {
        for (const stage of this.staging) await stage.create(client);
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
      this.prepared.add(client);
    }
    await client.query('BEGIN');
    if (this.profile.postgresSerialWriters) {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1 || current_schema()))', [`sluice-writer:${this.profile.name}:`]);
    }
    if (this.direct) {
      await client.query('SAVEPOINT sluice_direct');
      this.replay = new Map();
    }
    this.client = client;
    return client;
  }

  private async endCopy(): Promise<void> {
    if (!this.copy) return;
    const copy = this.copy;
    this.copy = undefined;
    if (!copy.error) copy.stream.end();
    await copy.done;
    if (!copy.staging) this.segmentRows += copy.stream.rowCount;
  }

  private async rollbackAsync(): Promise<void> {
    const client = this.client;
    if (!client) return;
    // Everything of this batch is forgotten now, before any await: a new batch may begin meanwhile.
    this.client = undefined;
    this.staged = new Set();
    this.batchKeys = new Map();
    this.batchRows = 0;
    this.replay = undefined;
    this.replayBytes = 0;
    this.directRows = 0;
    this.segmentRows = 0;
    this.stagedRows = 0;
    this.batchSegments = { copied: 0, staged: 0 };
    const copy = this.copy;
    this.copy = undefined;
    if (copy && !copy.error) copy.stream.destroy();
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
    this.batchKeys = new Map();
    this.batchRows = 0;
    this.replay = undefined;
    this.replayBytes = 0;
    this.directRows = 0;
    this.segmentRows = 0;
    this.stagedRows = 0;
    this.batchSegments = { copied: 0, staged: 0 };
  }

  private stagingOf(index: number): StagingTable {
    const stage = this.staging[index];
    if (!stage) throw new Error(`profile ${this.profile.name} has no table #${index}`);
    return stage;
  }

  private table(index: number): TableSpec {
    const t = this.profile.tables[index];
    if (!t) throw new Error(`profile ${this.profile.name} has no table #${index}`);
    return t;
  }
}
