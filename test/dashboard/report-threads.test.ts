import { renameSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { openCatalog, type DashboardDatabase } from '../../src/dashboard/dashboard-catalog.js';
import { reportRequest } from '../../src/dashboard/report-request.js';
import { ReportThreads } from '../../src/dashboard/report-threads.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';

let dir: string;
let db: string;
let database: DashboardDatabase;
const threads = new ReportThreads(2);

beforeAll(async () => {
  dir = tempDir('sluice-report-threads-');
  db = bridgeDb(dir);
  [database] = (await openCatalog([db])) as [DashboardDatabase];
}, 60_000);

afterAll(async () => {
  await threads.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (name: string, ...flags: string[]) => JSON.parse(runSluice(['report', name, '--db', db, '--format', 'json', ...flags]).stdout) as unknown[];
const request = (name: string, query: Record<string, string> = {}) => reportRequest(db, database.profile, name, query, 'json');

describe('the reports of a page in threads', () => {
  it('gives the rows of `sluice report`, for every report of a page asked at once', async () => {
    const names = database.entry.reports.filter((r) => r.chart.kind !== 'none' && !r.options.sessionRequired).map((r) => r.name);
    expect(names.length).toBeGreaterThan(5);
    const answers = await Promise.all(names.map((name) => threads.run(request(name))));
    for (const [i, name] of names.entries()) {
      expect(answers[i]?.report).toBe(name);
      expect(answers[i]?.rows).toEqual(cli(name));
    }
    const gaps = await threads.run(request('gap_list', { session: 's2', thresholdSec: '5' }));
    expect(gaps.rows).toEqual(cli('gap_list', '--session', 's2', '--threshold-sec', '5'));
    expect(gaps.rows).toHaveLength(2);
  });

  it('raises the error a report raised in its thread, code and all, and goes on after it', async () => {
    renameSync(db, `${db}.away`);
    try {
      const failed = await threads.run(request('types')).catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(SluiceError);
      expect((failed as SluiceError).code).toBe('SLUICE_E_NO_DATABASE');
      expect((failed as SluiceError).exitCode).toBe(2);
    } finally {
      renameSync(`${db}.away`, db);
    }
    expect((await threads.run(request('types'))).rows).toEqual(cli('types'));
  });
});
