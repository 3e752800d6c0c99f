import { validateConfig } from '../core/config/validate.js';
import type { Profile } from '../profiles/profile.js';
import { ReportConfigSchema, type ReportConfig, type ReportFormat } from '../reports/report-config.js';
import { findReport, reportsOf, resolveParams } from '../reports/resolve-report.js';
import type { ReportColumn, ReportDefinition } from '../reports/report.js';

/** A report asked for by a page: its validated config (the same as `sluice report` builds) and columns. */
export interface ReportRequest {
  config: ReportConfig;
  report: ReportDefinition;
  columns: readonly ReportColumn[];
  /** The report and its resolved flags (defaults filled in): two requests with one key get the same rows. */
  key: string;
}

/**
 * Turns a page's query (`?session=s1&limit=20`) into the config `sluice report NAME --db DB --profile P
 * --format F` would validate, so the rows are the command's. Empty values mean "not given"; any other
 * key, a flag the report does not take, or a bad value is a usage error naming the flag.
 */
export function reportRequest(
  db: string,
  profile: Profile,
  name: string,
  query: Readonly<Record<string, string | undefined>>,
  format: ReportFormat,
): ReportRequest {
  const raw: Record<string, unknown> = { name, db, profile: profile.name, format };
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '' || key === 'format') continue;
    raw[key] = key === 'flagged' ? value === 'true' || value === '1' || value === 'on' : value;
  }
  const config = validateConfig(ReportConfigSchema, raw);
  const report = findReport(reportsOf(profile), config.name);
  const params = resolveParams(report, config);
  const columns = report.columns(params);
  const key = JSON.stringify([report.name, ...Object.entries(params).filter(([, v]) => v !== undefined).sort()]);
  return { config, report, columns, key };
}
