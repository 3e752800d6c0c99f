import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gapListReport } from '../../../src/profiles/bridge/reports-gaps.js';
import { bucketedGaps, gapsOver, plainGaps, walkedGaps } from '../../../src/profiles/bridge/reports-gaps-sql.js';
import { BRIDGE_SQLITE_MIGRATIONS } from '../../../src/profiles/bridge/schema.js';
import { migrate } from '../../../src/db/sqlite/schema-versions.js';
import { SqliteReportReader } from '../../../src/reports/sqlite-report-reader.js';
import { tempDir } from '../../helpers/cli.js';
import { mulberry32 as prng } from '../../helpers/prng.js';

type Row = [string, number | null, number | null, number | null];

describe('gaps by buckets and by a walk of index seeks give exactly the gaps of the LAG definition', () => {
  let db: Database.Database;

  beforeAll(() => {
    db = new Database(join(tempDir(), 'gaps.db'));
    migrate(db, 'bridge', BRIDGE_SQLITE_MIGRATIONS);
    const insert = db.prepare('INSERT INTO events (seq, ts_ms, session_id) VALUES (?, ?, ?)');
    const rnd = prng(7);
    db.transaction(() => {
      for (let s = 0; s < 40; s++) {
        // Negative and fractional ts_ms (t_rel_ms fallback), ties, NULLs, runs of quiet and bursts.
        let ts = Math.floor(rnd() * 40_000) - 20_000;
        const n = 1 + Math.floor(rnd() * 300);
        for (let seq = 0; seq < n; seq++) {
          const r = rnd();
          ts += r < 0.1 ? 0 : r < 0.2 ? Math.floor(rnd() * 60_000) : r < 0.25 ? 10_000 : Math.floor(rnd() * 3_000) + rnd();
          insert.run(seq, rnd() < 0.02 ? null : ts, `s${s}`);
        }
      }
      // Hand-placed boundary cases: ties at both ends of a gap; a gap of exactly the threshold.
      for (const [seq, ts] of [[0, 100], [1, 100], [2, 20_100], [3, 40_100], [4, 40_100], [5, 50_100]] as const) {
        insert.run(seq, ts, 'ties');
      }
    })();
  });
  afterAll(() => db.close());

  const sorted = (sql: { sql: string; args: readonly (string | number | null)[] }): Row[] =>
    db
      .prepare(`SELECT session_id, ts_before_ms, ts_after_ms, gap_ms FROM (${sql.sql}) ORDER BY session_id, ts_after_ms`)
      .raw(true)
      .all(...sql.args) as Row[];

  it.each([0.001, 0.5, 1, 999.5, 1000, 3000, 9_999, 10_000, 10_001, 25_000, 59_999, 60_000, 1e9])(
    'threshold %s ms, whole table and per session',
    (thresholdMs) => {
      const plain = sorted(plainGaps({}, thresholdMs));
      expect(sorted(bucketedGaps({}, thresholdMs))).toEqual(plain);
      expect(sorted(bucketedGaps({ session: 's3' }, thresholdMs))).toEqual(plain.filter((r) => r[0] === 's3'));
      expect(sorted(walkedGaps('sqlite', {}, thresholdMs))).toEqual(plain);
      expect(sorted(walkedGaps('sqlite', { session: 's3' }, thresholdMs))).toEqual(plain.filter((r) => r[0] === 's3'));
      expect(sorted(walkedGaps('sqlite', { session: 'nobody' }, thresholdMs))).toEqual([]);
      if (thresholdMs === 10_000) expect(plain.length).toBeGreaterThan(50);
    },
  );

  it('walks busy sessions and reads sparse ones whole, by their span against their events', async () => {
    const reader = new SqliteReportReader('test', db);
    // 40 sessions of at most 300 events spread over minutes: walking takes more steps than reading.
    expect((await gapsOver(reader, {}, 10_000)).sql).toContain('floor(ts_ms');
    expect((await gapsOver(reader, { session: 's3' }, 1e9)).sql).toContain('WITH RECURSIVE');
    expect((await gapsOver(reader, {}, 0)).sql).toContain('lag(ts_ms)');
    // Two busy sessions: 60,000 events a few ms apart, over two minutes, with a few pauses.
    const busy = new Database(join(tempDir(), 'busy.db'));
    migrate(busy, 'bridge', BRIDGE_SQLITE_MIGRATIONS);
    const insert = busy.prepare('INSERT INTO events (seq, ts_ms, session_id) VALUES (?, ?, ?)');
    busy.transaction(() => {
      for (const session of ['a', 'b']) {
        for (let seq = 0, ts = 1_700_000_000_000; seq < 30_000; seq++) insert.run(seq, (ts += seq % 7_000 === 0 ? 15_000 : 3), session);
      }
    })();
    try {
      const gaps = await gapsOver(new SqliteReportReader('busy', busy), {}, 10_000);
      expect(gaps.sql).toContain('WITH RECURSIVE');
      const rows = busy.prepare(`SELECT * FROM (${gaps.sql}) ORDER BY 1, 2`).raw(true).all(...gaps.args);
      const plain = plainGaps({}, 10_000);
      expect(rows).toEqual(busy.prepare(`SELECT * FROM (${plain.sql}) ORDER BY 1, 2`).raw(true).all(...plain.args));
      expect(rows).toHaveLength(8);
    } finally {
      busy.close();
    }
  });

  it('names the last event before and the first event after a gap when ts_ms ties', async () => {
    const q = await gapListReport.query(new SqliteReportReader('test', db), { session: 'ties', thresholdSec: 10, limit: undefined });
    const rows = db.prepare(q.sql).raw(true).all(...q.args);
    // 100 (seq 0, 1) -> 20100 (seq 2) -> 40100 (seq 3, 4) -> 50100 (seq 5): the last gap is exactly 10 s.
    expect(rows).toEqual([
      ['ties', 1, 2, 20, 100, 20100],
      ['ties', 2, 3, 20, 20100, 40100],
    ]);
  });
});
