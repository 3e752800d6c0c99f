import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../../helpers/cli.js';
import { PG_BASE_URL, postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { BRIDGE_LOG, bridgeLogPresent } from '../../helpers/bridge-log-sample.js';

const ready = bridgeLogPresent() && (await postgresReachable());

/** psql's answer in a schema (the oracle: not our code). */
const psql = (schema: string, sql: string): string =>
  execFileSync('psql', [PG_BASE_URL, '-XAtq', '-c', `SET search_path TO "${schema}"`, '-c', sql], { encoding: 'utf8' }).trim();
const sqlite = (db: string, sql: string): string => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();

describe.skipIf(!ready)('the bridge log of today into PostgreSQL', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('stores the rows SQLite stores, once; a re-run adds nothing; the reports run', () => {
    const pg = testSchema('t_bridge_log');
    schemas.push(pg);
    const work = tempDir();
    const args = ['ingest', BRIDGE_LOG, '--into', pg.url, '--tz', 'America/Chicago', '--json', '--no-progress', '--dead-letter', join(work, 'dead.ndjson')];
    const run = runSluice(args);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ inserted: 1298, bad: 0 });
    expect(psql(pg.name, 'SELECT count(*) FROM events')).toBe('1298');

    const db = join(work, 'ref.db');
    expect(runSluice(['ingest', BRIDGE_LOG, '--db', db, '--tz', 'America/Chicago', '--no-progress']).code).toBe(0);
    const ref = sqlite(db, "SELECT group_concat(session_id || '/' || seq || '/' || ts_ms || '/' || type || '/' || ifnull(plate, ''), ' ') FROM (SELECT * FROM events ORDER BY seq)");
    const got = psql(pg.name, "SELECT string_agg(session_id || '/' || seq || '/' || ts_ms::bigint || '/' || type || '/' || coalesce(plate, ''), ' ' ORDER BY seq) FROM events");
    expect(got).toBe(ref);

    const again = runSluice(args);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ inserted: 0 });
    expect(psql(pg.name, 'SELECT count(*) FROM events')).toBe('1298');

    const sessions = runSluice(['report', 'sessions', '--db', pg.url, '--format', 'json']);
    expect(sessions.code, sessions.stderr).toBe(0);
    expect(JSON.parse(sessions.stdout)).toMatchObject([{ events: 1298, hits: 1288 }]);
    for (const name of ['types', 'hits', 'gaps', 'last_seen', 'recent']) {
      const r = runSluice(['report', name, '--db', pg.url, '--format', 'csv']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    }
  });
});
