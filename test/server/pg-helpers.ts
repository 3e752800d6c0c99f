import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test PostgreSQL (trust auth); `PG_TEST_URL` overrides. */
export const PG_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether PostgreSQL answers. Outside CI a missing server skips the test with a one-line reason;
 * in CI (`CI=true`) it fails it.
 */
export async function pgAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI at ${PG_URL}: ${(err as Error).message}`);
    process.stderr.write(`skipping: no PostgreSQL at ${PG_URL} (${(err as Error).message})\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other test uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Runs SQL on the test database. */
export async function pgQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
