import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cowrieProfile } from '../../../src/profiles/cowrie/index.js';
import type { Profile } from '../../../src/profiles/profile.js';
import { tempDir } from '../../helpers/cli.js';
import { reportText } from '../../helpers/report-compare.js';
import { loadThroughSink } from './load-through-sink.js';
import { OLD_SUMMARY, OLD_TOP_IPS, sessionEvents } from './session-events.js';

/**
 * Reports `summary` (daily) and `top_ips` read the sums kept per (day, IP) and per IP by triggers on
 * session_metrics (migration 8). Their rows must be those of the old queries over session_metrics,
 * run by the sqlite3 shell: in batches of every size, over overlapping runs, after `enrich`-like flag
 * updates, and on a database written before the migration.
 */

/** The cowrie profile before the sums (migration 8): its databases hold none. */
const beforeSums: Profile = { ...cowrieProfile, sqliteMigrations: cowrieProfile.sqliteMigrations.filter((m) => m.version <= 7) };

function shellRows(db: string, sql: string): unknown[] {
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, sql], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trim() === '' ? [] : (JSON.parse(out) as unknown[]);
}

async function reportRows(db: string, name: string): Promise<unknown[]> {
  return JSON.parse((await reportText(db, 'cowrie', { name, flags: { limit: 0 } }, 'json')).text) as unknown[];
}

async function expectOld(db: string): Promise<void> {
  expect(await reportRows(db, 'summary'), 'summary').toEqual(shellRows(db, OLD_SUMMARY));
  expect(await reportRows(db, 'top_ips'), 'top_ips').toEqual(shellRows(db, OLD_TOP_IPS));
}

describe('cowrie per-(day, IP) and per-IP session sums (summary, top_ips) in SQLite', () => {
  const events = sessionEvents(2500, 11);
  const dir = tempDir();

  it('the oracle sees every case: a NULL day and IP, a day that is no date, an IP shared by sessions', async () => {
    const db = join(dir, 'cases.db');
    await loadThroughSink(db, cowrieProfile, events, 97);
    const summary = shellRows(db, OLD_SUMMARY) as Array<{ period: string | null; unique_ips: number }>;
    expect(summary.some((r) => r.period === null)).toBe(true);
    expect(summary.some((r) => r.period === ' soon')).toBe(true);
    const ips = shellRows(db, OLD_TOP_IPS) as Array<{ src_ip: string | null }>;
    expect(ips.some((r) => r.src_ip === null)).toBe(true);
    await expectOld(db);
  });

  for (const batch of [1, 13, 250, 100_000]) {
    it(`gives the old queries' rows in batches of ${batch}`, async () => {
      const db = join(dir, `batch-${batch}.db`);
      await loadThroughSink(db, cowrieProfile, batch === 1 ? events.slice(0, 800) : events, batch);
      await expectOld(db);
    });
  }

  it('over runs whose events overlap, and after flags set and cleared as enrich does', async () => {
    const db = join(dir, 'runs.db');
    await loadThroughSink(db, cowrieProfile, events.slice(0, 1200), 64);
    await loadThroughSink(db, cowrieProfile, events.slice(900, 2000), 33);
    await loadThroughSink(db, cowrieProfile, [...events.slice(1900), ...events.slice(0, 300)], 500);
    const conn = new Database(db);
    conn.exec("UPDATE session_metrics SET vt_flagged = 1 WHERE session_id < 'cccccc2'");
    conn.exec("UPDATE session_metrics SET dshield_flagged = 1 WHERE session_id > 'cccccc1'");
    conn.exec("UPDATE session_metrics SET vt_flagged = 0 WHERE session_id < 'cccccc1'");
    conn.close();
    const flagged = shellRows(db, 'SELECT sum(flagged) AS n FROM (' + OLD_SUMMARY + ')') as Array<{ n: number }>;
    expect(flagged[0]?.n).toBeGreaterThan(0);
    await expectOld(db);
  });

  it('are built by migration 8 on a database written before them, and kept from there', async () => {
    const db = join(dir, 'upgraded.db');
    await loadThroughSink(db, beforeSums, events.slice(0, 1300), 100);
    await expectOld(db);
    await loadThroughSink(db, cowrieProfile, events.slice(1100), 100);
    const [version] = shellRows(db, "SELECT max(version) AS v FROM schema_version WHERE component = 'cowrie'") as { v: number }[];
    expect(version?.v).toBe(8);
    await expectOld(db);
  });
});
