import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastSeenReport } from '../../../src/profiles/bridge/reports-last-seen.js';
import { BRIDGE_SQLITE_MIGRATIONS } from '../../../src/profiles/bridge/schema.js';
import { migrate } from '../../../src/db/sqlite/schema-versions.js';
import type { ReportParams } from '../../../src/reports/report.js';
import { SqliteReportReader } from '../../../src/reports/sqlite-report-reader.js';
import { tempDir } from '../../helpers/cli.js';
import { mulberry32 as prng } from '../../helpers/prng.js';

describe('last_seen finds the plates it shows among the newest events: the rows of a grouping of every plate', () => {
  /** The schema before plate_activity (migrations 1 and 2): last_seen reads the events, as tested here. */
  let db: Database.Database;
  /** The same events, migrated on: migration 3 fills plate_activity, which last_seen then reads. */
  let summaryDb: Database.Database;

  beforeAll(() => {
    db = new Database(join(tempDir(), 'last-seen.db'));
    migrate(db, 'bridge', BRIDGE_SQLITE_MIGRATIONS.filter((m) => m.version <= 2));
    const insert = db.prepare('INSERT INTO events (seq, ts_ms, plate, session_id) VALUES (?, ?, ?, ?)');
    const rnd = prng(5);
    db.transaction(() => {
      // 20,000 events of 8 sessions; plates of a few hundred, most in bursts, some seen once long ago;
      // ties in ts_ms at the newest end, events without a plate or a ts_ms.
      for (let i = 0; i < 20_000; i++) {
        const burst = Math.floor(i / 400);
        const plate = rnd() < 0.1 ? null : rnd() < 0.05 ? `Q${Math.floor(rnd() * 300)}` : `P${burst * 7 + Math.floor(rnd() * 9)}`;
        insert.run(i, rnd() < 0.01 ? null : 1_000_000 + Math.floor(i / 3) * 10, plate, `s${i % 8}`);
      }
      for (let k = 0; k < 5; k++) insert.run(100_000 + k, null, `N${k}`, 's1'); // plates never timed
    })();
    summaryDb = new Database(db.serialize());
    migrate(summaryDb, 'bridge', BRIDGE_SQLITE_MIGRATIONS);
  });
  afterAll(() => {
    db.close();
    summaryDb.close();
  });

  const rows = async (params: ReportParams, on: Database.Database = db) => {
    const q = await lastSeenReport.query(new SqliteReportReader('test', on), params);
    return { sql: q.sql, rows: on.prepare(q.sql).raw(true).all(...q.args) };
  };

  it.each([1, 2, 7, 50, 120, 400, 5000])('limit %s, whole table and per session', async (limit) => {
    for (const session of [undefined, 's3']) {
      const every = (await rows({ session, limit: undefined })).rows;
      const shown = await rows({ session, limit });
      expect(shown.rows).toEqual(every.slice(0, limit));
      if (limit <= 50) expect(shown.sql).toContain('plate IN');
      // From plate_activity: the same rows.
      const summarized = await rows({ session, limit }, summaryDb);
      expect(summarized.sql).toContain('FROM plate_activity');
      expect(summarized.rows).toEqual(shown.rows);
    }
  });
});
