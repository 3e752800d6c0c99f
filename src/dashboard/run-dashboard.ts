import { SluiceError } from '../core/errors.js';
import { isLoopbackHost } from '../server/loopback-host.js';
import { buildDashboardApp } from './build-dashboard-app.js';
import { openCatalog } from './dashboard-catalog.js';
import type { DashboardConfig } from './dashboard-config.js';
import { ReportCache } from './report-cache.js';
import { ReportThreads } from './report-threads.js';
import { warmReports } from './warm-reports.js';

/** A started dashboard. */
export interface RunningDashboard {
  /** `http://host:port` it listens on. */
  url: string;
  /** Resolves, with how many reports ran, once every page's reports are in the cache. */
  warming: Promise<number>;
  close(): Promise<void>;
}

/**
 * Refuses to show the databases beyond loopback without keys unless told to (as `serve`): the host is
 * judged by the addresses it resolves to, so `127.0.0.1.nip.io` is not taken for loopback by its name.
 */
export async function checkDashboardAuth(config: DashboardConfig): Promise<void> {
  if (config.apiKeys.length === 0 && !config.noAuth && !(await isLoopbackHost(config.host))) {
    throw new SluiceError(
      'SLUICE_E_AUTH_REQUIRED',
      `refusing to serve the dashboard on ${config.host} without API keys: anyone on the network could read the databases`,
    );
  }
}

/** Detects each database's profile, then listens. */
export async function startDashboard(config: DashboardConfig): Promise<RunningDashboard> {
  await checkDashboardAuth(config);
  const databases = await openCatalog(config.dbs);
  const cache = new ReportCache();
  const threads = new ReportThreads();
  const app = buildDashboardApp({ databases, statusFiles: config.statusFiles, metrics: config.metrics, apiKeys: config.apiKeys, cache, threads });
  const address = await app.listen({ host: config.host, port: config.port });
  // The reports of every page run once now, while nobody waits; a page that asks meanwhile shares the run.
  const stopWarming = new AbortController();
  const warming = config.warm ? warmReports(databases, cache, threads, stopWarming.signal) : Promise.resolve(0);
  return {
    url: address,
    warming,
    close: async () => {
      stopWarming.abort();
      await warming;
      await app.close();
    },
  };
}
