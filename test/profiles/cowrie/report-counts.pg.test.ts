import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { PG_BASE_URL, postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { reportText } from '../../helpers/report-compare.js';
import { runSluiceWith } from '../../helpers/spool-cli.js';
import { countedEvents, RAW_CREDENTIALS_PG, RAW_TOP_COMMANDS_PG } from './counted-events.js';

const ready = await postgresReachable();

/** Rows of `sql` in `schema` as psql gives them (the oracle: another program over the same rows). */
function psqlRows(schema: string, sql: string): unknown[] {
  const out = execFileSync('psql', [PG_BASE_URL, '-XAtq', '-c', `SET search_path TO "${schema}"`, '-c', `SELECT coalesce(json_agg(t), '[]') FROM (${sql}) AS t`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as unknown[];
}

/** Both reports over every session, as `sluice report --format json` writes them, against their raw-row form. */
async function expectRawCounts(pg: TestSchema): Promise<{ commands: number; credentials: number }> {
  const commands = JSON.parse((await reportText(pg.url, 'cowrie', { name: 'top_commands', flags: { limit: 0 } }, 'json')).text) as unknown[];
  const credentials = JSON.parse((await reportText(pg.url, 'cowrie', { name: 'credentials', flags: { limit: 0 } }, 'json')).text) as unknown[];
  expect(commands, 'top_commands').toEqual(psqlRows(pg.name, RAW_TOP_COMMANDS_PG));
  expect(credentials, 'credentials').toEqual(psqlRows(pg.name, RAW_CREDENTIALS_PG));
  return { commands: commands.length, credentials: credentials.length };
}

async function ingest(files: readonly string[], pg: TestSchema, dir: string, writer = 'a'): Promise<void> {
  const run = await runSluiceWith(['ingest', ...files, '--profile', 'cowrie', '--into', pg.url, '--batch-size', '200',
    '--dead-letter', join(dir, `${pg.name}.${writer}.dl.ndjson`), '--no-progress']);
  expect(run.code, run.stderr).toBe(0);
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
  const parts = [events.slice(0, 400), events.slice(300, 700), events.slice(700, 1000), events.slice(300, 700), [...events.slice(1000), ...events.slice(0, 300)]].map(
    (lines, i) => {
      const path = join(dir, `cowrie.json.${i}`);
      writeFileSync(path, `${lines.join('\n')}\n`);
      return path;
    },
  );
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
      await ingest([part], pg, dir);
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
    await ingest(parts.slice(0, 2), pg, dir);
    for (const statement of UNDO_MIGRATION_6.split(';').filter((s) => s.trim() !== '')) await pg.query(statement);
    // Before the migration the reports count the raw rows themselves.
    await expectRawCounts(pg);
    await ingest(parts.slice(2), pg, dir);
    const [v] = await pg.query<{ v: number }>("SELECT max(version) AS v FROM schema_version WHERE component = 'cowrie'");
    expect(v?.v).toBe(6);
    await expectRawCounts(pg);
  }, 120_000);

  it('count a session once when two writers side by side bring its events', async () => {
    const pg = schema();
    await ingest([parts[0] ?? ''], pg, dir); // the schema, made once before the race
    // Two files that share sessions and pairs, loaded at once in batches of 200: each writer's
    // batches meet the other's uncommitted (input, session) and (pair, session) keys.
    const odd = join(dir, 'odd.json');
    const even = join(dir, 'even.json');
    writeFileSync(odd, `${events.filter((_, i) => i % 2 === 1).join('\n')}\n`);
    writeFileSync(even, `${events.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    await Promise.all([ingest([odd], pg, dir, 'odd'), ingest([even], pg, dir, 'even')]);
    await expectRawCounts(pg);
  }, 120_000);
});
