import { SluiceError } from '../core/errors.js';
import { createPgPool, redact } from '../db/postgres/pg-pool.js';
import type { ProfileReports } from './report.js';
import type { ReportDatabase } from './report-database.js';
import { PgReportReader } from './pg-report-reader.js';

/** Memory for each sort or hash of a report's statement (PostgreSQL's `work_mem`). */
const REPORT_WORK_MEM = '64MB';

/** How long to wait for the server before saying it is unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a `postgres://` URL (with `?schema=NAME` as the sink takes it) for reports: one connection,
 * one `REPEATABLE READ READ ONLY` transaction. It never creates or migrates anything (a writer does):
 * a schema or table that is not there is `SLUICE_E_NO_DATABASE`, as a missing SQLite file is, and an
 * unreachable server a one-line error of the same code (exit 2).
 */
export async function openPgReportDatabase(url: string, set: ProfileReports): Promise<ReportDatabase> {
  const { pool, schema } = createPgPool(url, 1);
  pool.options.connectionTimeoutMillis = CONNECT_TIMEOUT_MS;
  pool.on('error', () => undefined); // an idle connection dropped by the server: the next query says so
  const where = redact(url);
  let client;
  try {
    client = await pool.connect();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new SluiceError('SLUICE_E_NO_DATABASE', `cannot connect to PostgreSQL at ${where}: ${(err as Error).message}`, { cause: err });
  }
  const reader = new PgReportReader(where, client, async () => {
    client.release();
    await pool.end();
  });
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // A report is one short query: JIT compiling it (PostgreSQL does above a cost the row estimates of
    // grouped scans often reach) costs 50-100 ms and buys nothing back.
    await client.query('SET LOCAL jit = off');
    // The server's default work_mem (4 MB) makes the groupings of a report spill to disk: a hash of
    // 200,000 (username, password, session) groups, a sort of 120,000 sessions by day and IP. A report
    // is one statement, so a larger budget for its sorts and hashes costs memory only while it runs.
    await client.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
    const table = await reader.one('SELECT CAST(to_regclass(?) AS TEXT)', [`"${set.table}"`]);
    if (table?.[0] === null || table === undefined) {
      const place = schema !== undefined ? `schema ${schema}` : 'its search path';
      throw new SluiceError('SLUICE_E_NO_DATABASE', `${where} has no table ${set.table} in ${place}: nothing was ingested into it`);
    }
    const present = new Set<string>();
    const listed = reader.rows(
      `SELECT c.relname FROM pg_class c WHERE c.relkind = 'i' AND c.relnamespace = (
         SELECT relnamespace FROM pg_class WHERE oid = to_regclass(?))`,
      [`"${set.table}"`],
    );
    for await (const [name] of listed) present.add(String(name));
    // reltuples -1: never analyzed (autovacuum off, or not yet run). The planner then guesses a few
    // rows and picks index scans over most of the table: reports 3-5x slower. A reader cannot ANALYZE.
    const stats = await reader.one('SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)', [`"${set.table}"`]);
    const slowBecause =
      Number(stats?.[0] ?? 0) < 0
        ? `table ${set.table} has no planner statistics (never analyzed: is autovacuum off?), so reports may be slow; ANALYZE it (e.g. psql -c 'ANALYZE ${set.table}')`
        : undefined;
    return { reader, missingIndexes: set.indexes.filter((i) => !present.has(i)), slowBecause };
  } catch (err) {
    await reader.close().catch(() => undefined);
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('SLUICE_E_NO_DATABASE', `cannot read ${where}: ${(err as Error).message}`, { cause: err });
  }
}
