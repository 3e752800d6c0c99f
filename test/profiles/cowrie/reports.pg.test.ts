import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COWRIE_REPORTS } from '../../../src/profiles/cowrie/reports.js';
import { SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { expectSameReports, type ReportCase } from '../../helpers/report-compare.js';
import { runSluiceWith } from '../../helpers/spool-cli.js';

const COWRIE = join(SHARED_DATA, 'cowrie');
const present = existsSync(COWRIE);
const inCi = process.env.CI === 'true';
const ready = await postgresReachable();

/** The real logs: 26 daily files of 2018 (float durations), a 2026 log (`uuid`, string durations), a synthetic day (gzipped). */
function realLogs(): string[] {
  const kareiva = join(COWRIE, 'kareiva-2018');
  return [
    ...readdirSync(kareiva).map((f) => join(kareiva, f)),
    join(COWRIE, 'bilal05tariq-2026', 'cowrie.json'),
    join(COWRIE, 'cowrieprocessor-synthetic', 'day01.json.gz'),
  ];
}

describe.skipIf(!ready || (!present && !inCi))(
  `cowrie reports on PostgreSQL: the same bytes as on SQLite${present ? '' : ` (skipped: ${COWRIE} is absent)`}`,
  () => {
    let db: string;
    let pg: TestSchema;
    let busiest = { session: '', ip: '' };

    beforeAll(async () => {
      expect(present, `${COWRIE} is missing; CI must have the shared sample data`).toBe(true);
      const dir = tempDir();
      db = join(dir, 'cowrie.db');
      pg = testSchema('t_reports_cowrie');
      const files = realLogs();
      const runs = await Promise.all([
        runSluiceWith(['ingest', ...files, '--profile', 'cowrie', '--db', db, '--no-progress']),
        runSluiceWith(['ingest', ...files, '--profile', 'cowrie', '--into', pg.url, '--dead-letter', join(dir, 'pg.dead-letter.ndjson'), '--no-progress']),
      ]);
      for (const run of runs) expect([0, 3], run.stderr).toContain(run.code);
      const conn = new Database(db, { readonly: true });
      busiest = conn
        .prepare('SELECT session_id AS session, src_ip AS ip FROM session_metrics ORDER BY command_count DESC, session_id LIMIT 1')
        .get() as { session: string; ip: string };
      conn.close();
    }, 120_000);
    afterAll(async () => {
      await pg?.drop();
    });

    it('every report, with its typical flags, in table, CSV and JSON', async () => {
      const S = { session: busiest.session };
      const cases: ReportCase[] = [
        { name: 'sessions' },
        { name: 'sessions', flags: { since: '2018-05-10', until: '2018-05-12T12:00:00Z', limit: 0 } },
        { name: 'sessions', flags: { ip: busiest.ip, limit: 0 } },
        { name: 'sessions', flags: { flagged: true } },
        { name: 'sessions', flags: S },
        { name: 'summary' },
        { name: 'summary', flags: { period: 'weekly' } },
        { name: 'summary', flags: { period: 'monthly', since: '2018-05-15' } },
        { name: 'summary', flags: { period: 'weekly', ip: busiest.ip } },
        { name: 'top_commands' },
        { name: 'top_commands', flags: { ...S, limit: 0 } },
        { name: 'top_ips' },
        { name: 'top_ips', flags: { since: '2018-05-20', limit: 0 } },
        { name: 'credentials' },
        { name: 'credentials', flags: { limit: 0 } },
        { name: 'downloads' },
        { name: 'downloads', flags: { limit: 0 } },
      ];
      expect(new Set(cases.map((c) => c.name))).toEqual(new Set(COWRIE_REPORTS.reports.map((r) => r.name)));
      const rows = await expectSameReports(db, pg.url, 'cowrie', cases);
      for (const [label, n] of rows) if (!label.includes('--flagged')) expect(n, label).toBeGreaterThan(0);
      expect(rows.get('summary --period weekly')).toBeGreaterThan(3);
      expect(rows.get('credentials --limit 0')).toBeGreaterThan(100);
    }, 90_000);
  },
);
