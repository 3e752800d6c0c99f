import { statSync } from 'node:fs';
import type pg from 'pg';
import { createPgPool } from '../db/postgres/pg-pool.js';
import { parseReportTarget } from '../reports/report-database.js';

/**
 * A witness of a database's state: equal witnesses mean no commit in between, so a report gives the
 * same rows. Taken before a report runs; a commit after it only makes the next witness differ.
 */
export class DatabaseVersions {
  private readonly pools = new Map<string, pg.Pool>();
  /** A PostgreSQL witness being read: the reports of a page ask at once, and share it. */
  private readonly reading = new Map<string, Promise<string | undefined>>();

  /**
   * SQLite: size and modification time of the file and of its WAL (a commit appends to the WAL, a
   * checkpoint writes the file). PostgreSQL: the server's current WAL position, which every commit
   * moves (so does other activity on the server: that only costs a run, never a stale answer).
   * Undefined when it cannot be told: the report then runs. Asked again while a PostgreSQL witness is
   * being read, the answer is that one: taken before the report, as a witness must be.
   */
  async of(db: string): Promise<string | undefined> {
    const target = parseReportTarget(db);
    if (target.kind === 'sqlite') {
      // An empty WAL is no WAL: a reader opening a database its last writer closed creates one.
      const part = (path: string) => {
        const s = statSync(path, { throwIfNoEntry: false });
        return s && s.size > 0 ? `${s.size}:${s.mtimeMs}` : '-';
      };
      return `${part(target.path)}|${part(`${target.path}-wal`)}`;
    }
    const pending = this.reading.get(db);
    if (pending !== undefined) return pending;
    const read = this.readLsn(db, target.url).finally(() => this.reading.delete(db));
    this.reading.set(db, read);
    return read;
  }

  private async readLsn(db: string, url: string): Promise<string | undefined> {
    let pool = this.pools.get(db);
    if (!pool) {
      pool = createPgPool(url, 1).pool;
      pool.on('error', () => undefined);
      this.pools.set(db, pool);
    }
    try {
      const r = await pool.query<{ lsn: string }>('SELECT CAST(pg_current_wal_lsn() AS TEXT) AS lsn');
      return r.rows[0]?.lsn;
    } catch {
      return undefined;
    }
  }

  /** Closes the PostgreSQL connections. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => undefined)));
    this.pools.clear();
  }
}
