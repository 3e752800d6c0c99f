import { z } from 'zod';
import { count } from '../core/config/config-types.js';

/** Options of `sluice dashboard`, with their defaults. The schema is the documentation. */
export const DashboardConfigSchema = z
  .object({
    /** Databases to show, read-only, one page each: a SQLite path, `sqlite:PATH` or `postgres://…[?schema=NAME]`. */
    dbs: z.array(z.string().min(1, { error: 'expected a path or a postgres:// URL' })).default([]),
    /** Status JSON files of running jobs (`--status-file` of ingest, follow, spool, …), for the jobs view. */
    statusFiles: z.array(z.string().min(1)).default([]),
    /** Prometheus `/metrics` URLs of running jobs (their `--metrics` port). Example: `http://127.0.0.1:9464/metrics`. */
    metrics: z.array(z.url({ error: 'expected an http:// URL, e.g. http://127.0.0.1:9464/metrics' })).default([]),
    /** Address to bind; a non-loopback one needs API keys (`SLUICE_API_KEYS`) or `--no-auth`. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks a free one (printed at start). */
    port: count(0, 65_535).default(8090),
    /** API keys (`SLUICE_API_KEYS`, comma-separated). */
    apiKeys: z.array(z.string().min(8, { error: 'each API key needs at least 8 characters' })).default([]),
    /** Serve without keys even on a non-loopback host. */
    noAuth: z.boolean().default(false),
    /** Run every page's reports once at start, so the first visit of a page finds them ready (`--no-warm`: not). */
    warm: z.boolean().default(true),
  })
  .strict()
  .refine((c) => c.dbs.length + c.statusFiles.length + c.metrics.length > 0, {
    error: 'nothing to show: give --db, --status-file or --metrics',
    path: ['db'],
  });

export type DashboardConfig = z.infer<typeof DashboardConfigSchema>;
