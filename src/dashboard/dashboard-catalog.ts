import type { Profile } from '../profiles/profile.js';
import { chartOf, type ReportChart } from '../reports/report-chart.js';
import type { ReportOptionSpec } from '../reports/report.js';
import { parseReportTarget } from '../reports/report-database.js';
import { detectProfile } from './detect-profile.js';

/** One report as a page lists it: what it shows, the flags it takes (the page's controls), its chart. */
export interface CatalogReport {
  name: string;
  summary: string;
  example: string;
  options: ReportOptionSpec;
  chart: ReportChart;
}

/** One database of `--db`, with its detected profile. */
export interface CatalogDatabase {
  /** Its index in `--db` order: the page is `/db/ID`. */
  id: number;
  /** The `--db` value (a PostgreSQL password shown as `***`). */
  label: string;
  profile: string;
  reports: CatalogReport[];
}

/** A database opened by the dashboard: the `--db` value the reports run on, and its profile. */
export interface DashboardDatabase {
  db: string;
  profile: Profile;
  entry: CatalogDatabase;
}

/** `--db` without a password, for pages and messages. */
export function databaseLabel(db: string): string {
  const target = parseReportTarget(db);
  if (target.kind === 'sqlite') return target.path;
  try {
    const url = new URL(target.url);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Detects each database's profile (a usage error names one that fits none) and lists its reports. */
export async function openCatalog(dbs: readonly string[]): Promise<DashboardDatabase[]> {
  const out: DashboardDatabase[] = [];
  for (const [id, db] of dbs.entries()) {
    const profile = await detectProfile(db);
    const reports = (profile.reports?.reports ?? []).map(
      (r): CatalogReport => ({
        name: r.name,
        summary: r.summary,
        example: r.example,
        options: r.options,
        // The columns with the default flags: enough to derive an undeclared chart.
        chart: chartOf(r.chart, r.columns({})),
      }),
    );
    out.push({ db, profile, entry: { id, label: databaseLabel(db), profile: profile.name, reports } });
  }
  return out;
}
