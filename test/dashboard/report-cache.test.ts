import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildDashboardApp } from '../../src/dashboard/build-dashboard-app.js';
import { openCatalog } from '../../src/dashboard/dashboard-catalog.js';
import { ReportCache } from '../../src/dashboard/report-cache.js';
import { ReportThreads } from '../../src/dashboard/report-threads.js';
import { warmReports } from '../../src/dashboard/warm-reports.js';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';

let dir: string;
let db: string;
let app: FastifyInstance;
const cache = new ReportCache();
const threads = new ReportThreads();

beforeAll(async () => {
  dir = tempDir('sluice-dashboard-cache-');
  db = bridgeDb(dir);
  const databases = await openCatalog([db]);
  app = buildDashboardApp({ databases, statusFiles: [], metrics: [], apiKeys: [], cache, threads });
  expect(await warmReports(databases, cache, threads, new AbortController().signal)).toBe(9); // every bridge report but export
}, 60_000);

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

type Answer = { rows: Array<Record<string, unknown>>; cached?: boolean };
const cli = (name: string) => JSON.parse(runSluice(['report', name, '--db', db, '--format', 'json']).stdout) as unknown[];

describe('report answers kept while the database is unchanged', () => {
  it('answers a warmed report from the cache (the same flags written otherwise too), and runs it again after a commit', async () => {
    const warm = (await app.inject('/api/db/0/reports/cadence?by=type_msg')).json() as Answer;
    expect(warm.cached).toBe(true);
    expect(warm.rows).toEqual(cli('cadence'));
    const sessions = (await app.inject('/api/db/0/reports/sessions')).json() as Answer;
    expect(sessions.cached).toBe(true);

    const more = join(dir, 'more.ndjson');
    writeFileSync(more, bridgeFile(40, 's9'));
    expect(runSluice(['ingest', more, '--db', db, '--no-progress']).code).toBe(0);

    const after = (await app.inject('/api/db/0/reports/sessions')).json() as Answer;
    expect(after.cached).toBeUndefined();
    expect(after.rows).toEqual(cli('sessions'));
    expect(after.rows.map((r) => r.session_id)).toContain('s9');
    expect(((await app.inject('/api/db/0/reports/sessions')).json() as Answer).cached).toBe(true);
  });
});
