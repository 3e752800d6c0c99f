import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardApp } from '../../src/dashboard/build-dashboard-app.js';
import { openCatalog } from '../../src/dashboard/dashboard-catalog.js';
import { PagePrefetch } from '../../src/dashboard/page-prefetch.js';
import { ReportThreads } from '../../src/dashboard/report-threads.js';
import type { ReportRequest } from '../../src/dashboard/report-request.js';
import type { PageReport } from '../../src/dashboard/run-page-report.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';

/** Real report threads that count the reports they were given to run. */
class CountingThreads extends ReportThreads {
  readonly ran: string[] = [];
  override run(request: ReportRequest): Promise<PageReport> {
    this.ran.push(request.report.name);
    return super.run(request);
  }
}

describe('a page’s reports start with its HTML', () => {
  let dir: string;
  let db: string;
  let app: FastifyInstance;
  let threads: CountingThreads;

  beforeAll(async () => {
    dir = tempDir('sluice-dashboard-prefetch-');
    db = bridgeDb(dir);
    threads = new CountingThreads(1);
    app = buildDashboardApp({ databases: await openCatalog([db]), statusFiles: [], metrics: [], apiKeys: [], threads });
  }, 60_000);

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs each report of the page once, for the page’s own requests, with the rows of sluice report', async () => {
    const page = await app.inject('/db/0');
    expect(page.statusCode).toBe(200);
    // Every report the page draws on opening, started before its scripts ask: not export (raw rows).
    const opening = ['sessions', 'types', 'hits', 'gaps', 'gap_list', 'last_seen', 'cadence', 'errors_recent', 'recent'];
    expect([...threads.ran].sort()).toEqual([...opening].sort());
    // The page asks with the values of its form (a select sends its default): the same report and flags.
    for (const name of opening) {
      const query = name === 'cadence' ? '?by=type_msg' : '';
      const res = await app.inject(`/api/db/0/reports/${name}${query}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { rows: unknown[]; cached?: boolean };
      expect(body.cached, name).toBeUndefined(); // run for this page, not kept from before
      const cli = runSluice(['report', name, '--db', db, '--format', 'json']);
      expect(body.rows, name).toEqual(JSON.parse(cli.stdout));
    }
    expect(threads.ran).toHaveLength(opening.length);
    // A second look is answered as before the prefetch: kept while the database is unchanged.
    const again = await app.inject('/api/db/0/reports/types');
    expect((again.json() as { cached?: boolean }).cached).toBe(true);
    expect(threads.ran).toHaveLength(opening.length);
  }, 120_000);

  it('starts nothing for a database that is not there, and still serves the page', async () => {
    const before = threads.ran.length;
    expect((await app.inject('/db/7')).statusCode).toBe(200);
    expect(threads.ran).toHaveLength(before);
  });
});

describe('PagePrefetch', () => {
  const answer = (report: string): Promise<PageReport> =>
    Promise.resolve({ report, columns: [], chart: { kind: 'none' }, rows: [], notices: [], ms: 1 });

  it('hands a started run once, and not after it waited too long', async () => {
    let now = 0;
    const prefetch = new PagePrefetch(1000, () => now);
    let runs = 0;
    const run = () => {
      runs += 1;
      return answer('a');
    };
    prefetch.start('k', run);
    prefetch.start('k', run); // already waiting: not started twice
    expect(runs).toBe(1);
    expect(await prefetch.take('k')).toMatchObject({ report: 'a' });
    expect(prefetch.take('k')).toBeUndefined();
    prefetch.start('late', run);
    now = 1001;
    expect(prefetch.take('late')).toBeUndefined();
  });

  it('keeps a failed run from being an unhandled rejection, and hands the failure to who asks', async () => {
    const prefetch = new PagePrefetch();
    prefetch.start('bad', () => Promise.reject(new Error('no such table')));
    await new Promise((r) => setTimeout(r, 10));
    await expect(prefetch.take('bad')).rejects.toThrow('no such table');
  });
});
