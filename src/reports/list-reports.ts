import type { ProfileReports } from './report.js';
import { flagsOf } from './resolve-report.js';

/** `sluice report --list`: one line per report, what it shows and a command that runs it. */
export function listReports(set: ProfileReports): string {
  const width = Math.max(...set.reports.map((r) => r.name.length)) + 2;
  return set.reports.map((r) => `${r.name.padEnd(width)}${r.summary}  e.g. $ ${r.example}\n`).join('');
}

/** The examples part of `sluice report --help`: every report's example and the flags it takes. */
export function reportExamples(set: ProfileReports): string {
  return set.reports
    .map((r) => `  $ ${r.example}\n      ${r.summary}\n      flags: ${flagsOf(r).join(', ')}\n`)
    .join('');
}
