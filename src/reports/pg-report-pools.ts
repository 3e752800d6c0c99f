import type pg from 'pg';
import { createPgPool, redact } from '../db/postgres/pg-pool.js';
import type { ProfileReports } from './report.js';
import type { ReportDatabase } from './report-database.js';
import { beginPgReport, connectForReport, CONNECT_TIMEOUT_MS } from './pg-report-database.js';

/** Connections per database at most: one per report of a page (6 to 10), so none waits for another's connection. */
const CONNECTIONS_PER_DATABASE = 10;

/** How long an unused connection stays open. */
const IDLE_MS = 5 * 60_000;

interface OpenPool {
  pool: pg.Pool;
  schema: string | undefined;
  /** Reports holding a connection of the pool. */
  busy: number;
  /** Reports waiting for one, in order. */
  waiting: Array<() => void>;
}

/**
 * PostgreSQL connections kept open for a process that runs many reports (the dashboard), a small pool
 * per `postgres://` URL: a report then begins its transaction on a connection already made instead of
 * paying for a new one (a server process, its authentication, the search path). Each report still has
 * its own `REPEATABLE READ READ ONLY` transaction and its own checks, as `sluice report` has.
 */
export class PgReportPools {
  private readonly pools = new Map<string, OpenPool>();

  constructor(private readonly size = CONNECTIONS_PER_DATABASE) {}

  /** Opens `url` for one report on a kept connection (see `openPgReportDatabase`). */
  async open(url: string, set: ProfileReports): Promise<ReportDatabase> {
    let open = this.pools.get(url);
    if (open === undefined) {
      open = { ...createPgPool(url, this.size), busy: 0, waiting: [] };
      open.pool.options.connectionTimeoutMillis = CONNECT_TIMEOUT_MS;
      open.pool.options.idleTimeoutMillis = IDLE_MS;
      this.pools.set(url, open);
    }
    // Reports beyond the pool's size wait here, for as long as the reports before them run: the
    // pool's connection timeout is then only for making a connection, never for a busy pool.
    const pool = open;
    if (pool.busy >= this.size) await new Promise<void>((resolve) => pool.waiting.push(resolve));
    pool.busy += 1;
    const done = (): void => {
      pool.busy -= 1;
      pool.waiting.shift()?.();
    };
    let client: pg.PoolClient;
    try {
      client = await connectForReport(pool.pool, redact(url));
    } catch (err) {
      done();
      throw err;
    }
    // A connection whose transaction could not be ended is dropped, not handed to the next report.
    return beginPgReport(client, redact(url), pool.schema, set, async (failure) => {
      client.release(failure ?? false);
      done();
    });
  }

  /** Ends every kept connection. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.pool.end().catch(() => undefined)));
  }
}
