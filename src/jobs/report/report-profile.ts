import { SluiceError } from '../../core/errors.js';
import { PROFILES } from '../../profiles/registry.js';
import { presentTables } from '../../reports/report-tables.js';
import { normalizeReportName } from '../../reports/resolve-report.js';

/** The profile `sluice report` uses when none is given and the database says nothing (an empty or missing one). */
export const DEFAULT_REPORT_PROFILE = 'bridge';

/**
 * The profile whose reports fit the database `db`, found by its tables: the one profile whose report
 * table it holds; of several, the one that has report `name`. A database holding none (missing,
 * empty, unreachable) gets the default, so opening it says what is wrong as before.
 */
export async function reportProfileFor(db: string, name: string | undefined): Promise<string> {
  const withReports = PROFILES.filter((p) => p.reports !== undefined && p.reports.reports.length > 0);
  const present = await presentTables(db, withReports.map((p) => p.reports?.table ?? ''));
  const holding = withReports.filter((p) => present.has(p.reports?.table ?? ''));
  if (holding.length === 0) return DEFAULT_REPORT_PROFILE;
  if (holding.length === 1) return holding[0]?.name ?? DEFAULT_REPORT_PROFILE;
  const wanted = name === undefined ? undefined : normalizeReportName(name);
  const having = wanted === undefined ? [] : holding.filter((p) => p.reports?.reports.some((r) => r.name === wanted));
  if (having.length === 1) return having[0]?.name ?? DEFAULT_REPORT_PROFILE;
  throw new SluiceError(
    'SLUICE_E_USAGE',
    `report: ${db} holds the tables of profiles ${holding.map((p) => p.name).join(' and ')}; say which with --profile`,
  );
}
