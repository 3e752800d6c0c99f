import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { expectSameReports, reportText, type ReportCase } from '../../helpers/report-compare.js';

const PINO = join(SHARED_DATA, 'pino');
const present = existsSync(PINO);
const inCi = process.env.CI === 'true';
const ready = await postgresReachable();

/** The sample entries, read here with JSON.parse alone (not through Sluice): the oracle. */
function sampleEntries(): Array<{ level?: unknown; context?: unknown; message?: unknown }> {
  return readdirSync(PINO)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => JSON.parse(readFileSync(join(PINO, f), 'utf8')) as Array<{ level?: unknown }>);
}

const CASES: readonly ReportCase[] = [
  { name: 'levels' },
  { name: 'levels', flags: { period: 'hourly' } },
  { name: 'levels', flags: { period: 'monthly', since: '2025-04-02', until: '2025-05-02T12:00:00Z' } },
  { name: 'top_messages' },
  { name: 'top_messages', flags: { limit: 0 } },
  { name: 'errors_by_context' },
  { name: 'errors_by_context', flags: { since: '2025-04-02' } },
];

describe.skipIf(!ready || (!present && !inCi))(
  `applog reports: levels over time, top messages, errors by context, the same on SQLite and PostgreSQL${present ? '' : ` (skipped: ${PINO} is absent)`}`,
  () => {
    let db: string;
    let pg: TestSchema;

    beforeAll(async () => {
      expect(present, `${PINO} is missing; CI must have the shared sample data`).toBe(true);
      db = join(tempDir(), 'app.db');
      pg = testSchema('t_applog_reports');
      for (const into of [`sqlite:${db}`, pg.url]) {
        const r = runSluice(['spool', '--from', PINO, '--into', into, '--profile', 'applog', '--dead-letter', join(tempDir(), 'dl.ndjson'), '--no-progress']);
        expect(r.code, r.stderr).toBe(0);
      }
    }, 120_000);
    afterAll(async () => {
      await pg?.drop();
    });

    it('every report writes the same bytes on both, in every format', async () => {
      const rows = await expectSameReports(db, pg.url, 'applog', CASES);
      expect(rows.get('levels')).toBeGreaterThan(1);
      expect(rows.get('top_messages')).toBe(20);
      expect(rows.get('errors_by_context')).toBeGreaterThan(1);
    });

    it('levels counts every entry once, by the level the files give (oracle: the JSON itself)', async () => {
      const entries = sampleEntries();
      const json = JSON.parse((await reportText(db, 'applog', { name: 'levels' }, 'json')).text) as Array<Record<string, number>>;
      const sum = (k: string): number => json.reduce((n, r) => n + (r[k] ?? 0), 0);
      expect(sum('entries')).toBe(entries.length);
      expect(sum('error')).toBe(entries.filter((e) => e.level === 50).length);
      expect(sum('warn')).toBe(entries.filter((e) => e.level === 40).length);
      expect(sum('info')).toBe(entries.filter((e) => e.level === 30 || e.level === 'info').length);
    });

    it('errors_by_context puts the contexts with errors first, with the last error message', async () => {
      const entries = sampleEntries();
      const errors = entries.filter((e) => e.level === 50);
      const json = JSON.parse((await reportText(db, 'applog', { name: 'errors_by_context' }, 'json')).text) as Array<Record<string, unknown>>;
      expect(json[0]).toMatchObject({ context: errors[0]?.context, errors: errors.length, last_error: errors[0]?.message });
    });

    it('sluice report finds the profile from the tables, on SQLite and on PostgreSQL', () => {
      for (const where of [db, pg.url]) {
        const r = runSluice(['report', 'levels', '--db', where, '--format', 'csv']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.split('\r\n')[0]).toBe('period,entries,trace,debug,info,warn,error,fatal,other');
        const list = runSluice(['report', '--list', '--db', where]);
        expect(list.stdout).toMatch(/errors_by_context/);
      }
    });
  },
);
