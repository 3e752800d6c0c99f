import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_REPORTS } from '../../../src/profiles/bridge/reports.js';
import { openReportDatabase } from '../../../src/reports/report-database.js';
import { runSluice, tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { mulberry32 } from '../../helpers/prng.js';
import { expectSameReports, type ReportCase } from '../../helpers/report-compare.js';
import { runSluiceWith } from '../../helpers/spool-cli.js';

const ready = await postgresReachable();

/**
 * About 30,000 events of 6 sessions with what the reports look at: HITs and T0s on plates (and events
 * without a plate), errors with several messages, gaps of every length (some exactly at a threshold),
 * ties in ts_ms, a missing ts_ms (it falls back to a fractional t_rel_ms, so durations end in .5 and
 * land on rounding ties), texts with commas, quotes and newlines.
 */
function bridgeInput(): string {
  const rnd = mulberry32(11);
  const lines: string[] = [];
  const sessions = ['s-alpha', 's-beta', 's-gamma', 's-delta', 'S-Upper', 's-ümlaut'];
  const state = sessions.map((_, i) => ({ seq: 0, ts: 1_000 + i * 777 }));
  for (let i = 0; i < 30_000; i++) {
    const k = Math.floor(rnd() * sessions.length);
    const s = state[k] as { seq: number; ts: number };
    const r = rnd();
    s.ts += r < 0.002 ? 10_000 * (1 + Math.floor(rnd() * 6)) : r < 0.01 ? 0 : Math.floor(rnd() * 400);
    const type = r < 0.03 ? 'error' : r < 0.06 ? 'info' : r < 0.08 ? 'status' : 'event';
    const record: Record<string, unknown> = {
      seq: s.seq,
      type,
      ts_ms: s.ts,
      t_rel_ms: Math.round(rnd() * 1e6) / 8,
      plate: type === 'event' && rnd() < 0.9 ? `P${Math.floor(rnd() * 40)}` : undefined,
      msg: type === 'error' ? ['timeout', 'sensor, "lost"', 'line\nbreak', 'crc'][Math.floor(rnd() * 4)] : type === 'event' ? (rnd() < 0.2 ? 'T0' : 'HIT') : `note ${i % 7}`,
      data: { amp: Math.round(rnd() * 1000) / 10, text: i % 500 === 0 ? 'caf\u00e9, "x"' : undefined },
      session_id: sessions[k],
      pid: 42 + k,
    };
    if (i % 1_999 === 0) {
      delete record.ts_ms;
      record.t_rel_ms = s.ts + 0.5;
    }
    s.seq += 1;
    lines.push(JSON.stringify(record));
  }
  return `${lines.join('\n')}\n`;
}

/** Every bridge report with its typical flags (defaults, a session, a limit, thresholds, windows, groupings). */
const CASES: readonly ReportCase[] = [
  { name: 'sessions' },
  { name: 'sessions', flags: { limit: 3 } },
  { name: 'types' },
  { name: 'types', flags: { session: 's-beta' } },
  { name: 'hits' },
  { name: 'hits', flags: { plate: 'P7', session: 's-alpha' } },
  { name: 'gaps' },
  { name: 'gaps', flags: { thresholdSec: 0.3 } },
  { name: 'gaps', flags: { thresholdSec: 0, session: 's-gamma', limit: 0 } },
  { name: 'gap_list' },
  { name: 'gap_list', flags: { thresholdSec: 10, session: 'S-Upper', limit: 0 } },
  { name: 'gap_list', flags: { thresholdSec: 0.25, limit: 100 } },
  { name: 'last_seen' },
  { name: 'last_seen', flags: { session: 's-delta', limit: 0 } },
  { name: 'cadence' },
  { name: 'cadence', flags: { by: 'plate', minutes: 30, limit: 0 } },
  { name: 'cadence', flags: { by: 'all', session: 's-alpha', windowSec: 90.5 } },
  { name: 'cadence', flags: { by: 'type' } },
  { name: 'errors_recent' },
  { name: 'errors_recent', flags: { minutes: 240, session: 's-ümlaut' } },
  { name: 'recent' },
  { name: 'recent', flags: { windowSec: 1e9 } },
  { name: 'export', flags: { session: 's-beta' } },
  { name: 'export', flags: { session: 's-alpha', limit: 25 } },
];

describe.skipIf(!ready)('bridge reports on PostgreSQL: the same bytes as on SQLite', () => {
  let dir: string;
  let db: string;
  let pg: TestSchema;

  beforeAll(async () => {
    dir = tempDir();
    const file = join(dir, 'bridge_20250829.ndjson');
    writeFileSync(file, bridgeInput());
    db = join(dir, 'bridge.db');
    pg = testSchema('t_reports');
    const runs = await Promise.all([
      runSluiceWith(['ingest', file, '--db', db, '--no-progress']),
      runSluiceWith(['ingest', file, '--into', pg.url, '--dead-letter', join(dir, 'pg.dead-letter.ndjson'), '--no-progress']),
    ]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await pg?.drop();
  });

  it('covers every bridge report', () => {
    expect(new Set(CASES.map((c) => c.name))).toEqual(new Set(BRIDGE_REPORTS.reports.map((r) => r.name)));
  });

  it('every report, with its typical flags, in table, CSV and JSON', async () => {
    const rows = await expectSameReports(db, pg.url, 'bridge', CASES);
    for (const [label, n] of rows) {
      if (!label.startsWith('errors_recent')) expect(n, label).toBeGreaterThan(0);
    }
    expect(rows.get('gap_list --thresholdSec 0.25 --limit 100')).toBe(100);
    expect(rows.get('export --session s-beta')).toBeGreaterThan(4_000);
  }, 60_000);

  it('through the CLI: the same output, and a URL given as sqlite:PATH or a bare path', async () => {
    const lite = runSluice(['report', 'gaps', '--db', `sqlite:${db}`, '--format', 'csv', '--threshold-sec', '5']);
    const post = runSluice(['report', 'gaps', '--db', pg.url, '--format', 'csv', '--threshold-sec', '5']);
    expect(lite.code, lite.stderr).toBe(0);
    expect(post.code, post.stderr).toBe(0);
    expect(post.stdout).toBe(lite.stdout);
    // Nothing analyzed the test schema (autovacuum may be off): the report says why it may be slow.
    const analyzed = await pg.query<{ n: number }>("SELECT reltuples AS n FROM pg_class WHERE oid = to_regclass('events')");
    if (Number(analyzed[0]?.n) < 0) expect(post.stderr).toContain('no planner statistics (never analyzed');
    expect(runSluice(['report', 'gaps', '--db', db, '--format', 'csv', '--threshold-sec', '5']).stdout).toBe(lite.stdout);
  });

  it('an unknown session or an empty result: a note, exit 0, as on SQLite', () => {
    const r = runSluice(['report', 'sessions', '--db', pg.url, '--session', 'nope', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('session_id,events,hits,t0,first_ts_ms,last_ts_ms,duration_s\r\n');
    expect(r.stderr).toContain('no events of session "nope"');
  });

  it('a schema without the table, or no server: one coded line, exit 2, nothing created', async () => {
    const missing = testSchema('t_reports_none');
    const r = runSluice(['report', 'sessions', '--db', missing.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no table events');
    expect(r.stderr).toContain('SLUICE_E_NO_DATABASE');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await missing.query("SELECT 1 FROM pg_namespace WHERE nspname = current_schema()")).toEqual([]);
    await missing.drop();
    const down = runSluice(['report', 'sessions', '--db', 'postgres://postgres@127.0.0.1:1/test']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^sluice: cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*\n.*SLUICE_E_NO_DATABASE/);
  });

  it('reads in one read-only snapshot: nothing can be written through it, and later commits are not seen', async () => {
    const { reader } = await openReportDatabase(pg.url, BRIDGE_REPORTS);
    try {
      const before = await reader.one('SELECT count(*) FROM events');
      await pg.query("INSERT INTO events (seq, session_id, type) VALUES (1, 's-later', 'info')");
      expect(await reader.one('SELECT count(*) FROM events')).toEqual(before);
      await expect(reader.one('CREATE TABLE sneaky (x INT)')).rejects.toThrow(/read-only transaction/);
    } finally {
      await reader.close().catch(() => undefined);
      await pg.query("DELETE FROM events WHERE session_id = 's-later'");
    }
  });

  it('a statement that fails mid-stream rejects, and the cursor and connection still close', async () => {
    const { reader } = await openReportDatabase(pg.url, BRIDGE_REPORTS);
    try {
      const rows: unknown[] = [];
      const failing = async () => {
        // In table order, seq 2000 comes after several cursor batches.
        for await (const row of reader.rows('SELECT 1000 / (seq - 2000) FROM events')) rows.push(row);
      };
      await expect(failing()).rejects.toThrow(/division by zero/);
      expect(rows.length).toBeGreaterThan(2_000);
    } finally {
      await reader.close();
    }
  });
});
