import type pg from 'pg';
import { SluiceError } from '../core/errors.js';
import { createPgPool, redact } from '../db/postgres/pg-pool.js';
import type { ProfileReports } from './report.js';
import type { ReportDatabase } from './report-database.js';
import { PgReportReader } from './pg-report-reader.js';

/** Memory for each sort or hash of a report's statement (PostgreSQL's `work_mem`). */
const REPORT_WORK_MEM = '64MB';

/** How long to wait for the server before saying it is unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a `postgres://` URL (with `?schema=NAME` as the sink takes it) for reports: one connection,
 * one `REPEATABLE READ READ ONLY` transaction. It never creates or migrates anything (a writer does):
 * a schema or table that is not there is `SLUICE_E_NO_DATABASE`, as a missing SQLite file is, and an
 * unreachable server a one-line error of the same code (exit 2).
 */
export async function openPgReportDatabase(url: string, set: ProfileReports): Promise<ReportDatabase> {
  const { pool, schema } = createPgPool(url, 1);
  pool.options.connectionTimeoutMillis = CONNECT_TIMEOUT_MS;
  const where = redact(url);
  let client: pg.PoolClient;
  try {
    client = await connectForReport(pool, where);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return beginPgReport(client, where, schema, set, async () => {
    client.release();
    await pool.end();
  });
}

/** A connection of `pool`, or `SLUICE_E_NO_DATABASE` naming the server when it cannot be had. */
export async function connectForReport(pool: pg.Pool, where: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw new SluiceError('SLUICE_E_NO_DATABASE', `cannot connect to PostgreSQL at ${where}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Begins a report's `REPEATABLE READ READ ONLY` transaction on `client` and checks, in its snapshot,
 * that the profile's table is there, which report indexes are, and whether the table was analyzed:
 * two round trips. `release` gives the connection back once the reader is closed (or the checks failed).
 */
export async function beginPgReport(
  client: pg.PoolClient,
  where: string,
  schema: string | undefined,
  set: ProfileReports,
  release: (failure?: Error) => Promise<void>,
): Promise<ReportDatabase> {
  const reader = new PgReportReader(where, client, release);
  try {
    // One round trip (a simple query may hold several statements). JIT compiling a report's query
    // (PostgreSQL does above a cost the row estimates of grouped scans often reach) costs 50-100 ms
    // and buys nothing back. The server's default work_mem (4 MB) makes the groupings of a report
    // spill to disk: a hash of 200,000 (username, password, session) groups, a sort of 120,000
    // sessions by day and IP. A report is one statement, so a larger budget for its sorts and hashes
    // costs memory only while it runs.
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off; SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
    const found = await reader.one(
      `SELECT t.reltuples, (SELECT string_agg(i.relname, ' ') FROM pg_class i WHERE i.relkind = 'i' AND i.relnamespace = t.relnamespace)
       FROM pg_class t WHERE t.oid = to_regclass(?)`,
      [`"${set.table}"`],
    );
    if (found === undefined) {
      const place = schema !== undefined ? `schema ${schema}` : 'its search path';
      throw new SluiceError('SLUICE_E_NO_DATABASE', `${where} has no table ${set.table} in ${place}: nothing was ingested into it`);
    }
    const present = new Set(String(found[1] ?? '').split(' '));
    // reltuples -1: never analyzed (autovacuum off, or not yet run). The planner then guesses a few
    // rows and picks index scans over most of the table: reports 3-5x slower. A reader cannot ANALYZE.
    const slowBecause =
      Number(found[0] ?? 0) < 0
        ? `table ${set.table} has no planner statistics (never analyzed: is autovacuum off?), so reports may be slow; ANALYZE it (e.g. psql -c 'ANALYZE ${set.table}')`
        : undefined;
    return { reader, missingIndexes: set.indexes.filter((i) => !present.has(i)), slowBecause };
  } catch (err) {
    await reader.close().catch(() => undefined);
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('SLUICE_E_NO_DATABASE', `cannot read ${where}: ${(err as Error).message}`, { cause: err });
  }
}
