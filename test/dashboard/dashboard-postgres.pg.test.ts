import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardApp } from '../../src/dashboard/build-dashboard-app.js';
import { openCatalog } from '../../src/dashboard/dashboard-catalog.js';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { chromiumPresent, launchChromium } from '../helpers/chromium.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';
import { startDashboardProcess } from '../helpers/dashboard-process.js';
import { postgresReachable, testSchema, type TestSchema } from '../helpers/pg-test-db.js';

const ready = await postgresReachable();

describe.runIf(ready)('sluice dashboard over PostgreSQL', () => {
  let dir: string;
  let schema: TestSchema;
  let app: FastifyInstance;
  let reports: string[] = [];

  beforeAll(async () => {
    dir = tempDir('sluice-dashboard-pg-');
    bridgeDb(dir);
    schema = testSchema('t_dashboard');
    const r = runSluice(['ingest', join(dir, 'bridge.ndjson'), '--into', schema.url, '--no-progress'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const databases = await openCatalog([schema.url]);
    expect(databases[0]?.profile.name).toBe('bridge');
    reports = databases[0]?.entry.reports.filter((x) => x.chart.kind !== 'none').map((x) => x.name) ?? [];
    app = buildDashboardApp({ databases, statusFiles: [], metrics: [], apiKeys: [] });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every report with the rows of sluice report --format json on the same PostgreSQL schema', async () => {
    expect(reports).toHaveLength(9);
    for (const name of reports) {
      const res = await app.inject(`/api/db/0/reports/${name}?session=s2`);
      expect(res.statusCode, res.body).toBe(200);
      const cli = runSluice(['report', name, '--db', schema.url, '--format', 'json', '--session', 's2']);
      expect((res.json() as { rows: unknown[] }).rows, name).toEqual(JSON.parse(cli.stdout));
    }
  }, 120_000);

  it('answers anew after a commit (the WAL position witnesses it)', async () => {
    const before = (await app.inject('/api/db/0/reports/sessions')).json() as { rows: Array<Record<string, unknown>> };
    expect(before.rows.map((r) => r.session_id)).not.toContain('s9');
    const more = join(dir, 'more.ndjson');
    writeFileSync(more, bridgeFile(40, 's9'));
    expect(runSluice(['ingest', more, '--into', schema.url, '--no-progress'], { cwd: dir }).code).toBe(0);
    const after = (await app.inject('/api/db/0/reports/sessions')).json() as { rows: Array<Record<string, unknown>> };
    expect(after.rows).toEqual(JSON.parse(runSluice(['report', 'sessions', '--db', schema.url, '--format', 'json']).stdout));
    expect(after.rows.map((r) => r.session_id)).toContain('s9');
  }, 60_000);

  it.runIf(chromiumPresent())('draws every report of the PostgreSQL page in Chromium', async () => {
    const dashboard = await startDashboardProcess(['--db', schema.url]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${dashboard.url}/db/0`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      for (const name of reports) {
        expect(await page.$eval(`section[data-report="${name}"]`, (s) => s.getAttribute('data-state')), name).toBe('done');
        expect(await page.$$eval(`section[data-report="${name}"] svg .mark`, (m) => m.length), name).toBeGreaterThan(0);
      }
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      expect(await dashboard.stop()).toBe(0);
    }
  }, 120_000);
});
