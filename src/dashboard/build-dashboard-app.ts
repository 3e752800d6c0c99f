import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';
import { SluiceError } from '../core/errors.js';
import { runReport } from '../jobs/report/run-report.js';
import { loadAssets } from '../reports/page-assets.js';
import type { DashboardDatabase } from './dashboard-catalog.js';
import { dashboardKeyCheck } from './dashboard-auth.js';
import { readJobs } from './job-status.js';
import { pageShell } from './page-html.js';
import { PagePrefetch } from './page-prefetch.js';
import { opensWithPage } from './page-reports.js';
import { ReportCache } from './report-cache.js';
import { reportRequest, type ReportRequest } from './report-request.js';
import { ReportThreads } from './report-threads.js';
import type { PageReport } from './run-page-report.js';

/** What the app serves. */
export interface DashboardAppOptions {
  databases: readonly DashboardDatabase[];
  statusFiles: readonly string[];
  metrics: readonly string[];
  apiKeys: readonly string[];
  /** Answers kept while a SQLite database is unchanged (shared with the warm-up at start). */
  cache?: ReportCache;
  /** Where the reports run (shared with the warm-up); the app closes them when it closes. */
  threads?: ReportThreads;
}

type Query = Record<string, string | undefined>;

/** A usage error (bad flag, unknown report) is the page's fault: 400; anything else 500. */
function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof SluiceError) {
    return reply.code(err.exitCode === 2 ? 400 : 500).send({ code: err.code, message: err.message, hint: err.hint });
  }
  return reply.code(500).send({ code: 'internal', message: (err as Error).message });
}

/**
 * The dashboard's HTTP app: one HTML shell (its assets and the catalog inside it; the assets are also
 * served alone, for a page that wants one), and a small JSON API. Every route reads;
 * none writes a database (reports open theirs read-only, as `sluice report` does).
 */
export function buildDashboardApp(options: DashboardAppOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  const assets = loadAssets();
  const allowed = dashboardKeyCheck(options.apiKeys);
  const catalog = {
    databases: options.databases.map((d) => d.entry),
    jobs: [...options.statusFiles, ...options.metrics],
  };
  const shell = pageShell(catalog);
  const cache = options.cache ?? new ReportCache();
  const threads = options.threads ?? new ReportThreads();
  app.addHook('onClose', async () => {
    await Promise.all([cache.close(), threads.close()]);
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (!allowed(request, reply)) {
      return reply.code(401).send({ code: 'unauthorized', message: 'open the page as /?key=KEY, or send "Authorization: Bearer KEY"' });
    }
  });

  const page = async (_req: unknown, reply: FastifyReply) =>
    reply.header('content-security-policy', shell.contentSecurityPolicy).type('text/html; charset=utf-8').send(shell.html);
  app.get('/', page);
  app.get('/jobs', page);
  app.get<{ Params: { id: string } }>('/db/:id', async (request, reply) => {
    // Not for HEAD (fastify answers it with this route): a link preview draws no page.
    if (request.method === 'GET') startPageReports(request.params.id);
    return page(request, reply);
  });

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (!asset) return reply.code(404).send({ code: 'not_found', message: `no asset ${request.params.file}` });
    return reply.header('cache-control', 'no-cache').type(asset.type).send(asset.body);
  });

  app.get('/api/catalog', async () => catalog);

  const database = (id: string): DashboardDatabase => {
    const found = options.databases[Number(id)];
    if (!/^\d+$/.test(id) || !found) throw new SluiceError('SLUICE_E_USAGE', `no database ${id}`);
    return found;
  };

  /** The answer a page gets for a report: kept, or run now (in a thread for SQLite). */
  const answer = (id: string, d: DashboardDatabase, req: ReportRequest): Promise<PageReport> =>
    cache.get(d.db, `${id}:${req.key}`, () => threads.run(req));

  // A page's reports start with its HTML, so they run while the browser loads the scripts (see PagePrefetch).
  const prefetch = new PagePrefetch();
  const startPageReports = (id: string): void => {
    if (!/^\d+$/.test(id) || options.databases[Number(id)] === undefined) return;
    const d = database(id);
    for (const r of d.entry.reports) {
      if (!opensWithPage(r)) continue;
      try {
        const req = reportRequest(d.db, d.profile, r.name, {}, 'json');
        prefetch.start(`${id}:${req.key}`, () => answer(id, d, req));
      } catch {
        // Nothing started: the page's own request gets the error.
      }
    }
  };

  app.get<{ Params: { id: string; name: string }; Querystring: Query }>('/api/db/:id/reports/:name', async (request, reply) => {
    try {
      const d = database(request.params.id);
      const req = reportRequest(d.db, d.profile, request.params.name, request.query, 'json');
      return await (prefetch.take(`${request.params.id}:${req.key}`) ?? answer(request.params.id, d, req));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  // Downloads stream `sluice report`'s own CSV or JSON, whatever its size (an export of a session).
  app.get<{ Params: { id: string; name: string }; Querystring: Query }>('/api/db/:id/download/:name', async (request, reply) => {
    try {
      const d = database(request.params.id);
      const format = request.query.format === 'json' ? 'json' : 'csv';
      const req = reportRequest(d.db, d.profile, request.params.name, request.query, format);
      const body = new PassThrough();
      runReport(req.config, { stdout: body, stdoutIsTty: false, notice: () => undefined }).then(
        () => body.end(),
        (err: unknown) => body.destroy(err as Error),
      );
      return reply
        .type(format === 'json' ? 'application/json' : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.report.name}.${format}"`)
        .send(body);
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get('/api/jobs', async () => ({ jobs: await readJobs(options.statusFiles, options.metrics) }));
  return app;
}
