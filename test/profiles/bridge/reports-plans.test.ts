import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_REPORTS } from '../../../src/profiles/bridge/reports.js';
import { BRIDGE_SQLITE_MIGRATIONS } from '../../../src/profiles/bridge/schema.js';
import type { ReportDefinition, ReportParams } from '../../../src/reports/report.js';
import { migrate } from '../../../src/db/sqlite/schema-versions.js';
import { SqliteReportReader } from '../../../src/reports/sqlite-report-reader.js';
import { tempDir } from '../../helpers/cli.js';

/**
 * The query plans the speed of the reports rests on (1M events in about a second or less), checked
 * with EXPLAIN QUERY PLAN on a migrated database, so that an index or a query change that loses them
 * fails here rather than only in the bench.
 */
describe('report query plans', async () => {
  let db: Database.Database;
  /** The same events under the schema before plate_activity (migrations 1 and 2), which hits and last_seen read raw. */
  let oldDb: Database.Database;
  /** The reports that read plate_activity where it exists. */
  const SUMMARIZED = new Set(['hits', 'last_seen']);
  /** The reports that read a summary table (plate_activity, type_counts) where it exists. */
  const FROM_SUMMARY = new Set([...SUMMARIZED, 'types']);

  beforeAll(() => {
    const made = (name: string, upTo: number): Database.Database => {
      const d = new Database(join(tempDir(), name));
      migrate(d, 'bridge', BRIDGE_SQLITE_MIGRATIONS.filter((m) => m.version <= upTo));
      const insert = d.prepare(
        'INSERT INTO events (seq, ts_ms, type, msg, plate, t_rel_ms, session_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      d.transaction(() => {
        for (let i = 0; i < 20_000; i++) {
          const hit = i % 10 !== 0;
          insert.run(i, 1_000_000 + i * 1000, hit ? 'event' : 'error', hit ? 'HIT' : 'timeout', `P${i % 50}`, i, `s${i % 10}`);
        }
      })();
      return d;
    };
    db = made('plans.db', Infinity);
    oldDb = made('plans-old.db', 2);
  });
  afterAll(() => {
    db.close();
    oldDb.close();
  });

  async function plan(name: string, params: ReportParams = {}, on: Database.Database = db): Promise<string[]> {
    const report = BRIDGE_REPORTS.reports.find((r) => r.name === name) as ReportDefinition;
    const full = { limit: report.options.limit, thresholdSec: report.options.thresholdSec, by: report.options.by?.default, ...params };
    const q = await report.query(new SqliteReportReader('plans', on), full);
    return (on.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.args) as { detail: string }[]).map((r) => r.detail);
  }
  const fullScan = (lines: string[]) => lines.filter((l) => /^SCAN events$/.test(l));

  it.each([...SUMMARIZED])('%s reads only plate_activity, and with --session only its rows of the session', async (name) => {
    for (const lines of [await plan(name), await plan(name, { plate: 'P3' })]) {
      expect(lines.filter((l) => /\bevents\b/.test(l))).toEqual([]);
      expect(lines.some((l) => l.includes('plate_activity'))).toBe(true);
    }
    const lines = await plan(name, { session: 's3' });
    expect(lines.filter((l) => /\bevents\b/.test(l))).toEqual([]);
    expect(lines.some((l) => /^SEARCH plate_activity USING PRIMARY KEY \(session_id=\?/.test(l))).toBe(true);
  });

  it.each(BRIDGE_REPORTS.reports.map((r) => r.name))('%s --session reads the session through an index', async (name) => {
    // hits, last_seen and types: their reading of the events, kept for a database without their summary.
    const lines = await plan(name, { session: 's3' }, FROM_SUMMARY.has(name) ? oldDb : db);
    expect(fullScan(lines)).toEqual([]);
    // (`e`: the walk of gaps and gap_list names the table so in its seeks.)
    expect(lines.some((l) => /\b(events|e) USING (COVERING )?INDEX events_session_(ts|seq) \(session_id=\?/.test(l))).toBe(true);
  });

  it('gaps and gap_list read only the (session_id, ts_ms, seq) index, in window order', async () => {
    for (const name of ['gaps', 'gap_list']) {
      const lines = await plan(name);
      expect(lines).toContain('SCAN events USING COVERING INDEX events_session_ts');
      expect(fullScan(lines)).toEqual([]);
    }
  });

  it('gaps and gap_list of a few busy sessions walk the (session_id, ts_ms, seq) index by seeks', async () => {
    for (const name of ['gaps', 'gap_list']) {
      const lines = await plan(name, { thresholdSec: 3600 });
      expect(lines).toContain('SEARCH e USING COVERING INDEX events_session_ts (session_id=? AND ts_ms>? AND ts_ms<?)');
      expect(lines.filter((l) => l.startsWith('SCAN events'))).toEqual([]);
    }
  });

  it('types reads only type_counts, and with --session only its rows of the session', async () => {
    const lines = await plan('types');
    expect(lines.filter((l) => /\bevents\b/.test(l))).toEqual([]);
    expect(lines.some((l) => l.includes('type_counts'))).toBe(true);
    const one = await plan('types', { session: 's3' });
    expect(one.filter((l) => /\bevents\b/.test(l))).toEqual([]);
    expect(one.some((l) => /^SEARCH type_counts USING PRIMARY KEY \(session_id=\?/.test(l))).toBe(true);
  });

  it('types without type_counts reads only the (type, msg) index', async () => {
    expect(await plan('types', {}, oldDb)).toContain('SCAN events USING COVERING INDEX events_type_msg');
  });

  it('a narrow window over the whole table is read through the ts_ms index', async () => {
    for (const name of ['cadence', 'recent']) {
      expect(await plan(name, { windowSec: 600 })).toContain('SEARCH events USING INDEX events_ts_ms (ts_ms>?)');
    }
  });

  it('a window holding most of the table is scanned rather than looked up row by row', async () => {
    for (const name of ['cadence', 'recent']) {
      expect((await plan(name, { windowSec: 1e9 })).some((l) => l.includes('events_ts_ms'))).toBe(false);
    }
  });

  it('export streams in seq order straight off the unique index, with no sort', async () => {
    const lines = await plan('export', { session: 's1' });
    expect(lines).toEqual(['SEARCH events USING INDEX events_session_seq (session_id=?)']);
  });
});
