import { SluiceError } from '../core/errors.js';
import { isLoopback } from '../server/serve-config.js';
import { buildDashboardApp } from './build-dashboard-app.js';
import { openCatalog } from './dashboard-catalog.js';
import type { DashboardConfig } from './dashboard-config.js';

/** A started dashboard. */
export interface RunningDashboard {
  /** `http://host:port` it listens on. */
  url: string;
  close(): Promise<void>;
}

/** Refuses to show the databases beyond loopback without keys unless told to (as `serve`). */
export function checkDashboardAuth(config: DashboardConfig): void {
  if (!isLoopback(config.host) && config.apiKeys.length === 0 && !config.noAuth) {
    throw new SluiceError(
      'SLUICE_E_AUTH_REQUIRED',
      `refusing to serve the dashboard on ${config.host} without API keys: anyone on the network could read the databases`,
    );
  }
}

/** Detects each database's profile, then listens. */
export async function startDashboard(config: DashboardConfig): Promise<RunningDashboard> {
  checkDashboardAuth(config);
  const databases = await openCatalog(config.dbs);
  const app = buildDashboardApp({ databases, statusFiles: config.statusFiles, metrics: config.metrics, apiKeys: config.apiKeys });
  const address = await app.listen({ host: config.host, port: config.port });
  return { url: address, close: () => app.close() };
}
