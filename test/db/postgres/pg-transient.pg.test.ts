import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnectionLost, isWriteConflict } from '../../../src/db/postgres/pg-transient.js';
import { PG_BASE_URL, postgresReachable, testSchema } from '../../helpers/pg-test-db.js';

const reachable = await postgresReachable();
const schema = testSchema('t_conflict');

/** Two connections on the schema, each in a transaction of its own. */
async function twoWriters(): Promise<[pg.Client, pg.Client]> {
  const clients = [new pg.Client({ connectionString: PG_BASE_URL }), new pg.Client({ connectionString: PG_BASE_URL })] as const;
  for (const c of clients) {
    await c.connect();
    await c.query(`SET search_path TO "${schema.name}"`);
  }
  return [clients[0], clients[1]];
}

/** The error of whichever statement PostgreSQL aborted, and both transactions ended. */
async function firstFailure(a: Promise<unknown>, b: Promise<unknown>): Promise<unknown> {
  const settled = await Promise.allSettled([a, b]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  return failed?.reason;
}

describe.skipIf(!reachable)('PostgreSQL write conflicts', () => {
  beforeAll(async () => {
    await schema.query(`CREATE SCHEMA IF NOT EXISTS "${schema.name}"`);
    await schema.query(`CREATE TABLE "${schema.name}".counts (k INTEGER PRIMARY KEY, n INTEGER NOT NULL)`);
    await schema.query(`INSERT INTO "${schema.name}".counts VALUES (1, 0), (2, 0)`);
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('a deadlock between two writers is a conflict to run again, not a lost connection', async () => {
    const [a, b] = await twoWriters();
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query('UPDATE counts SET n = n + 1 WHERE k = 1');
      await b.query('UPDATE counts SET n = n + 1 WHERE k = 2');
      // Each now waits for the row the other holds: PostgreSQL aborts one of them.
      const err = await firstFailure(a.query('UPDATE counts SET n = n + 1 WHERE k = 2'), b.query('UPDATE counts SET n = n + 1 WHERE k = 1'));
      expect((err as { code?: string }).code).toBe('40P01');
      expect(isWriteConflict(err)).toBe(true);
      expect(isWriteConflict(new Error('wrapped', { cause: err }))).toBe(true);
      expect(isConnectionLost(err)).toBe(false);
    } finally {
      await Promise.allSettled([a.query('ROLLBACK'), b.query('ROLLBACK')]);
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('a serialization failure is one too; a unique violation is not', async () => {
    const [a, b] = await twoWriters();
    try {
      await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await b.query('BEGIN');
      await a.query('SELECT n FROM counts WHERE k = 1');
      await b.query('UPDATE counts SET n = n + 1 WHERE k = 1');
      await b.query('COMMIT');
      const err = await a.query('UPDATE counts SET n = n + 1 WHERE k = 1').then(() => undefined, (e: unknown) => e);
      expect((err as { code?: string }).code).toBe('40001');
      expect(isWriteConflict(err)).toBe(true);
      await a.query('ROLLBACK');
      const unique = await a.query('INSERT INTO counts VALUES (1, 0)').then(() => undefined, (e: unknown) => e);
      expect((unique as { code?: string }).code).toBe('23505');
      expect(isWriteConflict(unique)).toBe(false);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
