import type { DashboardDatabase } from './dashboard-catalog.js';
import type { ReportCache } from './report-cache.js';
import { opensWithPage } from './page-reports.js';
import { reportRequest } from './report-request.js';
import type { ReportThreads } from './report-threads.js';

/**
 * Runs, one after another, every report a page draws on opening (its default flags; not those that
 * need an input, nor raw rows), so that the first visit finds them in the cache. Failures are left
 * for the page to show when it asks.
 */
export async function warmReports(
  databases: readonly DashboardDatabase[],
  cache: ReportCache,
  threads: ReportThreads,
  stop: AbortSignal,
): Promise<number> {
  let warmed = 0;
  for (const d of databases) {
    for (const r of d.entry.reports) {
      if (stop.aborted) return warmed;
      if (!opensWithPage(r)) continue;
      try {
        const req = reportRequest(d.db, d.profile, r.name, {}, 'json');
        await cache.get(d.db, `${d.entry.id}:${req.key}`, () => threads.run(req));
        warmed += 1;
      } catch {
        // The page shows the error when it asks for the report.
      }
    }
  }
  return warmed;
}
