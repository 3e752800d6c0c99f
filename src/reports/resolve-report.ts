import { SluiceError } from '../core/errors.js';
import type { ReportConfig } from './report-config.js';
import type { ProfileReports, ReportDefinition, ReportParams } from './report.js';

/** The reports of `profile`, or a usage error when it has none. */
export function reportsOf(profile: { name: string; reports?: ProfileReports | undefined }): ProfileReports {
  if (!profile.reports || profile.reports.reports.length === 0) {
    throw new SluiceError('SLUICE_E_UNKNOWN_REPORT', `profile "${profile.name}" has no reports`);
  }
  return profile.reports;
}

/** `last-seen` and `last_seen` name the same report. */
export function normalizeReportName(name: string): string {
  return name.trim().replace(/-/g, '_');
}

/** The report called `name`, or an error that lists the names there are. */
export function findReport(set: ProfileReports, name: string | undefined): ReportDefinition {
  const names = set.reports.map((r) => r.name).join(', ');
  if (name === undefined) {
    throw new SluiceError('SLUICE_E_USAGE', `name a report: one of ${names} (sluice report --list shows what each does)`);
  }
  const wanted = normalizeReportName(name);
  const found = set.reports.find((r) => r.name === wanted);
  if (!found) throw new SluiceError('SLUICE_E_UNKNOWN_REPORT', `unknown report "${name}"; expected one of: ${names} (another profile's reports need --profile NAME)`);
  return found;
}

/** The flags a report takes, as a user types them. */
export function flagsOf(report: ReportDefinition): string[] {
  const o = report.options;
  const flags = [o.sessionRequired ? '--session ID (required)' : '--session ID', '--limit N'];
  if (o.plate) flags.push('--plate P');
  if (o.thresholdSec !== undefined) flags.push(`--threshold-sec S (default ${o.thresholdSec})`);
  if (o.windowSec !== undefined) flags.push(`--window-sec S (default ${o.windowSec}) | --minutes M`);
  if (o.by) flags.push(`--by ${o.by.choices.join('|')} (default ${o.by.default})`);
  if (o.timeRange) flags.push('--since ISO', '--until ISO');
  if (o.ip) flags.push('--ip ADDR');
  if (o.flagged) flags.push('--flagged');
  if (o.period) flags.push(`--period ${o.period.choices.join('|')} (default ${o.period.default})`);
  if (o.q) flags.push('--q TEXT (required)');
  if (o.uri) flags.push('--uri URI (required)');
  if (o.model) flags.push(`--model ${o.model.choices.join('|')} (default ${o.model.default})`);
  return flags;
}

/**
 * Checks the flags against what the report takes and fills in its defaults. A flag the report does
 * not take is an error rather than silently ignored: the user meant something by it.
 */
export function resolveParams(report: ReportDefinition, config: ReportConfig): ReportParams {
  const o = report.options;
  const refused: string[] = [];
  if (config.plate !== undefined && !o.plate) refused.push('--plate');
  if (config.thresholdSec !== undefined && o.thresholdSec === undefined) refused.push('--threshold-sec');
  if (config.windowSec !== undefined && o.windowSec === undefined) refused.push('--window-sec');
  if (config.minutes !== undefined && o.windowSec === undefined) refused.push('--minutes');
  if (config.by !== undefined && !o.by) refused.push('--by');
  if (config.since !== undefined && !o.timeRange) refused.push('--since');
  if (config.until !== undefined && !o.timeRange) refused.push('--until');
  if (config.ip !== undefined && !o.ip) refused.push('--ip');
  if (config.flagged === true && !o.flagged) refused.push('--flagged');
  if (config.period !== undefined && !o.period) refused.push('--period');
  if (config.q !== undefined && !o.q) refused.push('--q');
  if (config.uri !== undefined && !o.uri) refused.push('--uri');
  if (config.model !== undefined && !o.model) refused.push('--model');
  if (refused.length > 0) {
    throw new SluiceError(
      'SLUICE_E_USAGE',
      `report ${report.name} takes no ${refused.join(', ')}; it takes ${flagsOf(report).join(', ')}`,
    );
  }
  if (o.sessionRequired && config.session === undefined) {
    throw new SluiceError('SLUICE_E_USAGE', `report ${report.name} needs --session ID (sluice report sessions lists them)`);
  }
  if (o.q && config.q === undefined) {
    throw new SluiceError('SLUICE_E_USAGE', `report ${report.name} needs --q TEXT, the words to search for`);
  }
  if (o.uri && config.uri === undefined) throw new SluiceError('SLUICE_E_USAGE', `report ${report.name} needs --uri URI`);
  if (o.model && config.model !== undefined && !o.model.choices.includes(config.model)) {
    throw new SluiceError('SLUICE_E_CONFIG', `--model: expected one of ${o.model.choices.join(', ')}, got "${config.model}"`);
  }
  if (o.by && config.by !== undefined && !o.by.choices.includes(config.by)) {
    throw new SluiceError('SLUICE_E_CONFIG', `--by: expected one of ${o.by.choices.join(', ')}, got "${config.by}"`);
  }
  if (o.period && config.period !== undefined && !o.period.choices.includes(config.period)) {
    throw new SluiceError('SLUICE_E_CONFIG', `--period: expected one of ${o.period.choices.join(', ')}, got "${config.period}"`);
  }
  const limit = config.limit ?? o.limit;
  const windowSec = config.minutes !== undefined ? config.minutes * 60 : (config.windowSec ?? o.windowSec);
  return {
    session: config.session,
    limit: limit === 0 ? undefined : limit,
    plate: o.plate ? config.plate : undefined,
    thresholdSec: o.thresholdSec !== undefined ? (config.thresholdSec ?? o.thresholdSec) : undefined,
    windowSec: o.windowSec !== undefined ? windowSec : undefined,
    by: o.by ? (config.by ?? o.by.default) : undefined,
    since: o.timeRange ? config.since : undefined,
    until: o.timeRange ? config.until : undefined,
    ip: o.ip ? config.ip : undefined,
    flagged: o.flagged ? config.flagged === true : undefined,
    period: o.period ? (config.period ?? o.period.default) : undefined,
    q: o.q ? config.q : undefined,
    uri: o.uri ? config.uri : undefined,
    model: o.model ? (config.model ?? o.model.default) : undefined,
  };
}
