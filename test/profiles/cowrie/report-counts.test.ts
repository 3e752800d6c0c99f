import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cowrieProfile } from '../../../src/profiles/cowrie/index.js';
import { COWRIE_SESSION_BATCH_SQL } from '../../../src/profiles/cowrie/session-batch-sql.js';
import type { Profile } from '../../../src/profiles/profile.js';
import { tempDir } from '../../helpers/cli.js';
import { reportText } from '../../helpers/report-compare.js';
import { countedEvents, RAW_CREDENTIALS, RAW_TOP_COMMANDS } from './counted-events.js';
import { loadThroughSink } from './load-through-sink.js';

/** The cowrie profile before the report counts (migration 6): its databases hold none. */
const beforeCounts: Profile = {
  ...cowrieProfile,
  sqliteMigrations: cowrieProfile.sqliteMigrations.filter((m) => m.version <= 5),
  sqliteAfterBatch: { table: 0, statements: COWRIE_SESSION_BATCH_SQL },
};

/** Rows of `sql` as the sqlite3 shell gives them (the oracle: another program over the same file). */
function shellRows(db: string, sql: string): unknown[] {
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, sql], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trim() === '' ? [] : (JSON.parse(out) as unknown[]);
}

/** Both reports over every session, as `sluice report --format json` writes them, against their raw-row form. */
async function expectRawCounts(db: string): Promise<{ commands: number; credentials: number }> {
  const commands = JSON.parse((await reportText(db, 'cowrie', { name: 'top_commands', flags: { limit: 0 } }, 'json')).text) as unknown[];
  const credentials = JSON.parse((await reportText(db, 'cowrie', { name: 'credentials', flags: { limit: 0 } }, 'json')).text) as unknown[];
  expect(commands, 'top_commands').toEqual(shellRows(db, RAW_TOP_COMMANDS));
  expect(credentials, 'credentials').toEqual(shellRows(db, RAW_CREDENTIALS));
  return { commands: commands.length, credentials: credentials.length };
}

function tableNames(db: string): string[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } finally {
    conn.close();
  }
}

describe('cowrie report counts (top_commands, credentials) kept per batch in SQLite', () => {
  const events = countedEvents(1500, 7);
  const dir = tempDir();

  for (const batch of [1, 7, 250, 100_000]) {
    it(`equal the counts of the raw rows, in batches of ${batch}`, async () => {
      const db = join(dir, `batch-${batch}.db`);
      await loadThroughSink(db, cowrieProfile, events, batch);
      const n = await expectRawCounts(db);
      // Every kind of group is there: NULL and empty inputs, long ones, pairs with NULLs and empties.
      expect(n.commands).toBeGreaterThanOrEqual(7);
      expect(n.credentials).toBeGreaterThan(25);
      const [distinct] = shellRows(db, `SELECT sum(times > sessions) AS repeated, sum(input IS NULL) AS nulls, sum(input = '') AS empties FROM command_counts`) as Record<string, number>[];
      expect(distinct).toEqual({ repeated: expect.any(Number), nulls: 1, empties: 1 });
      expect(distinct?.repeated).toBeGreaterThan(0);
    });
  }

  it('equal them over runs whose events overlap (duplicates near and far, a run redone)', async () => {
    const db = join(dir, 'runs.db');
    await loadThroughSink(db, cowrieProfile, events.slice(0, 700), 64);
    await expectRawCounts(db);
    await loadThroughSink(db, cowrieProfile, events.slice(500, 1200), 33);
    await loadThroughSink(db, cowrieProfile, events.slice(500, 1200), 33);
    await loadThroughSink(db, cowrieProfile, [...events.slice(1100), ...events.slice(0, 300)], 500);
    await expectRawCounts(db);
  });

  it('are built by migration 6 on a database written before them, and kept from there', async () => {
    const db = join(dir, 'upgraded.db');
    await loadThroughSink(db, beforeCounts, events.slice(0, 900), 100);
    expect(tableNames(db)).not.toContain('command_counts');
    // Before the migration the reports count the raw rows themselves.
    await expectRawCounts(db);
    await loadThroughSink(db, cowrieProfile, events.slice(800), 100);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['command_counts', 'credential_counts']));
    const [version] = shellRows(db, "SELECT max(version) AS v FROM schema_version WHERE component = 'cowrie'") as { v: number }[];
    expect(version?.v).toBe(8);
    await expectRawCounts(db);
  });
});
