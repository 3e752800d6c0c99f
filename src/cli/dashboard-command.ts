import { Command } from 'commander';
import { validateConfig } from '../core/config/validate.js';
import { DashboardConfigSchema } from '../dashboard/dashboard-config.js';

interface DashboardFlags {
  db?: string[];
  statusFile?: string[];
  metrics?: string[];
  host?: string;
  port?: string;
  auth?: boolean;
  warm?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const EXAMPLES = `
Examples:
  $ sluice dashboard --db logs/bridge.db                                # then open http://127.0.0.1:8090/
  $ sluice dashboard --db cowrie.db --db posts.db --db 'postgres://localhost/logs?schema=bridge'
  $ sluice follow 'logs/bridge_{YYYYMMDD}.ndjson' --db logs/bridge.db --status-file run/follow.json --metrics-port 9464 &
  $ sluice dashboard --db logs/bridge.db --status-file run/follow.json --metrics http://127.0.0.1:9464/metrics
  $ SLUICE_API_KEYS=k1-secret-key sluice dashboard --host 0.0.0.0 --db logs/bridge.db   # open /?key=k1-secret-key

One page per database (its profile found from its tables), every report of that profile as a chart
with its table, its flags as form fields and CSV/JSON downloads: the numbers are those of
sluice report NAME --format json with the same flags. The jobs page shows the status files and
metrics endpoints, refreshed every second. Databases are opened read-only; the page loads nothing
from any other server. Answers are kept while a SQLite database is unchanged, and every page's
reports run once at start (--no-warm: not). SIGINT/SIGTERM stop it (exit 0).`;

/** `sluice dashboard`: every report as a chart, and running jobs, in a browser page. */
export function dashboardCommand(): Command {
  return new Command('dashboard')
    .description('Charts of every report of one or more databases, and running jobs, in a browser page')
    .option('--db <path|url>', 'database to show (repeat for more): SQLite PATH, sqlite:PATH or postgres://…[?schema=NAME]', collect)
    .option('--status-file <path>', 'status JSON of a running job, for the jobs page (repeatable)', collect)
    .option('--metrics <url>', 'Prometheus /metrics URL of a running job (repeatable)', collect)
    .option('--host <addr>', 'address to bind (default 127.0.0.1; others need SLUICE_API_KEYS or --no-auth)')
    .option('--port <n>', 'TCP port (default 8090; 0 picks a free one)')
    .option('--no-auth', 'serve without API keys even on a non-loopback host')
    .option('--no-warm', 'do not run every page\'s reports at start (they run when a page asks)')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: DashboardFlags) => {
      const keys = (process.env.SLUICE_API_KEYS ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
      const config = validateConfig(DashboardConfigSchema, {
        dbs: flags.db ?? [],
        statusFiles: flags.statusFile ?? [],
        metrics: flags.metrics ?? [],
        host: flags.host,
        port: flags.port,
        apiKeys: keys,
        noAuth: flags.auth === false,
        warm: flags.warm !== false,
      });
      const { startDashboard } = await import('../dashboard/run-dashboard.js');
      const { withHarness } = await import('../jobs/run-harness.js');
      await withHarness({ job: 'dashboard', finishing: 'closing the connections' }, async ({ stop }) => {
        const server = await startDashboard(config);
        process.stderr.write(`sluice dashboard: open ${server.url}/\n`);
        void server.warming.then((n) => {
          if (n > 0) process.stderr.write(`sluice dashboard: ${n} reports ready\n`);
        });
        if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
        await server.close();
        process.stderr.write('sluice dashboard: stopped\n');
      });
    });
}
