import pg_ from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { PG_BASE_URL, postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { cowrieSchemaVersion, fiveOverlappingFiles, ingestCowrie, psqlRows, reportRows, undoMigration } from './pg-report-runs.js';
import { countedEvents, RAW_CREDENTIALS_PG, RAW_TOP_COMMANDS_PG } from './counted-events.js';

const ready = await postgresReachable();

/** Both reports over every session, as `sluice report --format json` writes them, against their raw-row form. */
async function expectRawCounts(pg: TestSchema): Promise<{ commands: number; credentials: number }> {
  const commands = await reportRows(pg.url, 'top_commands');
  const credentials = await reportRows(pg.url, 'credentials');
  expect(commands, 'top_commands').toEqual(psqlRows(pg.name, RAW_TOP_COMMANDS_PG));
  expect(credentials, 'credentials').toEqual(psqlRows(pg.name, RAW_CREDENTIALS_PG));
  return { commands: commands.length, credentials: credentials.length };
}

/** What migration 6 adds, taken away again: the schema as a writer before it left it. */
const UNDO_MIGRATION_6 = `
DROP TRIGGER cowrie_events_report_counts ON cowrie_events;
DROP FUNCTION cowrie_events_report_counts();
DROP TABLE command_counts, command_sessions, credential_counts, credential_sessions;
DELETE FROM schema_version WHERE component = 'cowrie' AND version = 6;`;

describe.skipIf(!ready)('cowrie report counts (top_commands, credentials) kept by a trigger in PostgreSQL', () => {
  const dir = tempDir();
  const events = countedEvents(1500, 9).map((e) => JSON.stringify(e));
  /** Five files: the second overlaps the first, the fourth repeats the second, the last the first 300 events. */
  const parts = fiveOverlappingFiles(dir, events, [400, 300, 700, 1000]);
  const schemas: TestSchema[] = [];
  const schema = (): TestSchema => {
    const s = testSchema('t_counts');
    schemas.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  it('equal the counts of the raw rows after each of five runs (duplicates near and far, a file read twice)', async () => {
    const pg = schema();
    for (const part of parts) {
      await ingestCowrie([part], pg, dir);
      await expectRawCounts(pg);
    }
    const n = await expectRawCounts(pg);
    expect(n.commands).toBeGreaterThanOrEqual(7);
    expect(n.credentials).toBeGreaterThan(25);
    const [row] = await pg.query<{ nulls: string; empties: string; repeated: string }>(
      "SELECT count(*) FILTER (WHERE input IS NULL) AS nulls, count(*) FILTER (WHERE input = '') AS empties, count(*) FILTER (WHERE times > sessions) AS repeated FROM command_counts",
    );
    expect(row).toEqual({ nulls: '1', empties: '1', repeated: expect.stringMatching(/^[1-9]/) });
  }, 120_000);

  it('are built by migration 6 on a schema written before them, and kept from there', async () => {
    const pg = schema();
    await ingestCowrie(parts.slice(0, 2), pg, dir);
    await undoMigration(pg, UNDO_MIGRATION_6);
    // Before the migration the reports count the raw rows themselves.
    await expectRawCounts(pg);
    await ingestCowrie(parts.slice(2), pg, dir);
    expect(await cowrieSchemaVersion(pg)).toBe(8);
    await expectRawCounts(pg);
  }, 120_000);

  it('count a session once when two writers side by side bring its first command and login', async () => {
    const pg = schema();
    await ingestCowrie([parts[0] ?? ''], pg, dir); // the schema, made by a writer
    // Two transactions each insert an event of one new session with one new input and pair. The
    // second meets the first's uncommitted (input, session) and (pair, session) keys: it must wait
    // for the first to commit and then count nothing, not count the session again.
    const insert = (key: string) => `INSERT INTO cowrie_events (event_key, session_id, matcher, eventid, username, password, input)
      VALUES ('${key}-c', 'race0001', 'session_id_only', 'cowrie.command.input', NULL, NULL, 'race cmd'),
             ('${key}-l', 'race0001', 'session_id_only', 'cowrie.login.failed', 'race', 'pw', NULL)`;
    const [a, b] = [new pg_.Client({ connectionString: PG_BASE_URL }), new pg_.Client({ connectionString: PG_BASE_URL })];
    await Promise.all([a.connect(), b.connect()]);
    try {
      for (const c of [a, b]) await c.query(`SET search_path TO "${pg.name}"`);
      await a.query('BEGIN');
      await a.query(insert('first'));
      await b.query('BEGIN');
      let secondDone = false;
      const second = b.query(insert('second')).then(() => {
        secondDone = true;
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(secondDone, 'the second writer waits for the first one\'s keys').toBe(false);
      await a.query('COMMIT');
      await second;
      await b.query('COMMIT');
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    await expectRawCounts(pg);
    const [race] = await pg.query<{ times: string; sessions: string }>("SELECT times, sessions FROM command_counts WHERE input = 'race cmd'");
    expect(race).toEqual({ times: '2', sessions: '1' });
  }, 120_000);});
