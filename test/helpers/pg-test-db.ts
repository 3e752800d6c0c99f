import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test PostgreSQL (trust auth); `PG_TEST_URL` overrides. */
export const PG_BASE_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether PostgreSQL answers. Outside CI a missing server skips with a one-line reason on stderr; in
 * CI (`CI=true`) it throws, which fails the test file.
 */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    const reason = `no PostgreSQL at ${PG_BASE_URL} (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI: ${reason}`);
    process.stderr.write(`skipping PostgreSQL tests: ${reason}\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema of its own for one test, with the Sluice URL that puts tables there. */
export interface TestSchema {
  name: string;
  /** `postgres://...?schema=NAME` for `--into` / `--ledger`. */
  url: string;
  /** Runs SQL with the schema on the search path. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops the schema and closes the connection. */
  drop(): Promise<void>;
}

/** A fresh, unique schema name (`t_spool_<hex>`); the schema itself is created by Sluice. */
export function testSchema(prefix = 't_spool'): TestSchema {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  let client: pg.Client | undefined;
  const connect = async (): Promise<pg.Client> => {
    if (client) return client;
    const c = new pg.Client({ connectionString: PG_BASE_URL });
    await c.connect();
    await c.query(`SET search_path TO "${name}"`);
    client = c;
    return c;
  };
  return {
    name,
    url: `${PG_BASE_URL}?schema=${name}`,
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await (await connect()).query<T>(sql, params)).rows;
    },
    async drop(): Promise<void> {
      const c = await connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        client = undefined;
        await c.end();
      }
    },
  };
}
