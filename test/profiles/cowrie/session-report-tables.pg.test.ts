import pg_ from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { PG_BASE_URL, postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { cowrieSchemaVersion, fiveOverlappingFiles, ingestCowrie, psqlRows, reportRows, undoMigration } from './pg-report-runs.js';
import { OLD_SUMMARY_PG, OLD_TOP_IPS_PG, sessionEvents } from './session-events.js';

const ready = await postgresReachable();

async function expectOld(pg: TestSchema): Promise<void> {
  expect(await reportRows(pg.url, 'summary'), 'summary').toEqual(psqlRows(pg.name, OLD_SUMMARY_PG));
  expect(await reportRows(pg.url, 'top_ips'), 'top_ips').toEqual(psqlRows(pg.name, OLD_TOP_IPS_PG));
}

/** What migration 8 adds, taken away again: the schema as a writer before it left it. */
const UNDO_MIGRATION_8 = `
DROP TRIGGER session_metrics_report_insert ON session_metrics;
DROP TRIGGER session_metrics_report_update ON session_metrics;
DROP FUNCTION cowrie_sessions_report_tables();
DROP TABLE day_ip_sessions, ip_sessions;
DELETE FROM schema_version WHERE component = 'cowrie' AND version = 8`;

describe.skipIf(!ready)('cowrie per-(day, IP) and per-IP session sums (summary, top_ips) kept by triggers in PostgreSQL', () => {
  const dir = tempDir();
  const events = sessionEvents(2500, 13).map((e) => JSON.stringify(e));
  /** Five files: the second overlaps the first, the fourth repeats the second, the last the first 300 events. */
  const parts = fiveOverlappingFiles(dir, events, [700, 500, 1200, 1800]);
  const schemas: TestSchema[] = [];
  const schema = (): TestSchema => {
    const s = testSchema('dashrep_t_sums');
    schemas.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  for (const batch of [1, 200, 100_000]) {
    it(`give the old queries' rows after each of five runs, in batches of ${batch}`, async () => {
      const pg = schema();
      for (const part of batch === 1 ? parts.slice(0, 1) : parts) {
        await ingestCowrie([part], pg, dir, batch);
        await expectOld(pg);
      }
      const summary = psqlRows(pg.name, OLD_SUMMARY_PG) as Array<{ period: string | null }>;
      expect(summary.some((r) => r.period === null)).toBe(true);
    }, 180_000);
  }

  it('are built by migration 8 on a schema written before them, and kept from there', async () => {
    const pg = schema();
    await ingestCowrie(parts.slice(0, 2), pg, dir);
    await undoMigration(pg, UNDO_MIGRATION_8);
    await expectOld(pg);
    await ingestCowrie(parts.slice(2), pg, dir);
    expect(await cowrieSchemaVersion(pg)).toBe(8);
    await expectOld(pg);
  }, 120_000);

  it('follow two writers side by side that change one session (its IP set, its first seen a day earlier)', async () => {
    const pg = schema();
    await ingestCowrie([parts[0] ?? ''], pg, dir);
    const insert = (key: string, ts: string, ip: string | null) => `INSERT INTO cowrie_events (event_key, session_id, matcher, eventid, timestamp, src_ip)
      VALUES ('${key}', 'race0001', 'session_id_only', 'cowrie.session.connect', '${ts}', ${ip === null ? 'NULL' : `'${ip}'`})`;
    const [a, b] = [new pg_.Client({ connectionString: PG_BASE_URL }), new pg_.Client({ connectionString: PG_BASE_URL })];
    await Promise.all([a.connect(), b.connect()]);
    try {
      for (const c of [a, b]) await c.query(`SET search_path TO "${pg.name}"`);
      await a.query('BEGIN');
      await a.query(insert('race-a', '2024-03-04T10:00:00.000Z', null));
      await b.query('BEGIN');
      const second = b.query(insert('race-b', '2024-03-02T10:00:00.000Z', '10.9.9.9'));
      await new Promise((r) => setTimeout(r, 300));
      await a.query('COMMIT');
      await second;
      await b.query('COMMIT');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    await expectOld(pg);
    const [race] = await pg.query<{ n: string }>("SELECT count(*) AS n FROM day_ip_sessions WHERE ip_key = '10.9.9.9' AND day_key = '2024-03-02'");
    expect(race).toEqual({ n: '1' });
  }, 120_000);
});
