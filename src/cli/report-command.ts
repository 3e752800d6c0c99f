import { Command, Option } from 'commander';
import { validateConfig } from '../core/config/validate.js';
import { PROFILES, profileByName } from '../profiles/registry.js';
import { listReports, reportExamples } from '../reports/list-reports.js';
import { REPORT_FORMATS, ReportConfigSchema } from '../reports/report-config.js';
import { reportsOf } from '../reports/resolve-report.js';
import { profileOption } from './profile-option.js';

interface ReportFlags {
  db?: string;
  profile?: string;
  session?: string;
  limit?: string;
  format?: string;
  out?: string;
  plate?: string;
  thresholdSec?: string;
  windowSec?: string;
  minutes?: string;
  by?: string;
  since?: string;
  until?: string;
  ip?: string;
  flagged?: boolean;
  period?: string;
  q?: string;
  uri?: string;
  model?: string;
  list?: boolean;
}

function helpText(): string {
  const parts = PROFILES.filter((p) => p.reports).map(
    (p) => `\nReports of profile ${p.name} (NAME may be written with - or _, e.g. last-seen):\n${reportExamples(reportsOf(p))}`,
  );
  return `${parts.join('')}
Output: a table on a terminal (durations as 1h02m05s, epoch-ms times as ISO), CSV when piped or with
--out (RFC 4180, CRLF, durations in plain seconds, ts_ms raw), --format json: one JSON array of
objects, one per line, or --format html --out FILE: the dashboard's chart and table in one
self-contained file (no network). Without --profile, the tables of --db say whose reports to run.
Windows (--window-sec, --minutes) end at the newest ts_ms in scope (the session's, or the table's),
never at the wall clock: ts_ms is a per-process clock.
The database is opened read-only; reports run fine while sluice ingest writes to it. A postgres://
URL (?schema=NAME as for --into) gives the same output as SQLite, except the rank and snippet of
posts search (PostgreSQL full-text ranking).

Exit codes: 0 ok (also for an empty table or an unknown session: a note on stderr, no rows),
1 failed, 2 bad usage, no such database, or unknown report.`;
}

/** `sluice report NAME`: a profile's reports over its database, streamed as a table, CSV or JSON. */
export function reportCommand(): Command {
  return new Command('report')
    .description('Report on an ingested database (sessions, types, hits, gaps, ..., export); --list names them')
    .argument('[name]', 'report to run (sluice report --list names them)')
    .option('--db <path|url>', 'database to read, read-only: SQLite PATH, sqlite:PATH or postgres://…[?schema=NAME] (default logs/bridge.db)')
    .addOption(profileOption('whose reports (default: the one whose tables --db holds)'))
    .option('--session <id>', 'only this session (required by export)')
    .option('--limit <n>', 'at most N rows; 0 for all (each report has its default)')
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, else csv)').choices(REPORT_FORMATS))
    .option('--out <path>', 'write to this file (appears whole when done), or - for stdout')
    .option('--plate <plate>', 'hits: only this plate')
    .option('--threshold-sec <s>', 'gaps, gap_list: gaps longer than this many seconds (default 10)')
    .option('--window-sec <s>', 'cadence, errors_recent, recent: window length in seconds')
    .option('--minutes <m>', 'the window in minutes instead of --window-sec')
    .option('--by <grouping>', 'cadence: type_msg, type, plate or all (default type_msg)')
    .option('--since <iso>', 'cowrie: only sessions first seen at or after this ISO time')
    .option('--until <iso>', 'cowrie: only sessions first seen before this ISO time')
    .option('--ip <addr>', 'cowrie: only this source address')
    .option('--flagged', 'cowrie sessions: only sessions flagged by VirusTotal or DShield')
    .option('--period <p>', 'cowrie summary: daily, weekly or monthly (default daily)')
    .option('--q <text>', 'posts search: words to find (an FTS5 query when it uses AND, OR, NOT, NEAR, quotes, ( ) or *)')
    .option('--uri <at-uri>', 'posts similar: the post to start from')
    .option('--model <name>', 'posts similar: all_MiniLM_L12_v2 or all_MiniLM_L6_v2 (default all_MiniLM_L12_v2)')
    .option('--list', 'list the reports, one line each with an example')
    .addHelpText('after', helpText())
    .action(async (name: string | undefined, flags: ReportFlags) => {
      // Without --profile, the database's tables say whose reports to run.
      const { reportProfileFor } = await import('../jobs/report/report-profile.js');
      const profile = flags.profile ?? (await reportProfileFor(flags.db ?? 'logs/bridge.db', name));
      const config = validateConfig(ReportConfigSchema, {
        name,
        list: flags.list ?? false,
        db: flags.db,
        profile,
        session: flags.session,
        limit: flags.limit,
        format: flags.format,
        out: flags.out,
        plate: flags.plate,
        thresholdSec: flags.thresholdSec,
        windowSec: flags.windowSec,
        minutes: flags.minutes,
        by: flags.by,
        since: flags.since,
        until: flags.until,
        ip: flags.ip,
        flagged: flags.flagged,
        period: flags.period,
        q: flags.q,
        uri: flags.uri,
        model: flags.model,
      });
      if (config.list) {
        process.stdout.write(listReports(reportsOf(profileByName(config.profile))));
        return;
      }
      // Loaded here, not at start: every other sluice command starts without the report machinery.
      const { runReport } = await import('../jobs/report/run-report.js');
      await runReport(config, {
        stdout: process.stdout,
        stdoutIsTty: process.stdout.isTTY === true,
        notice: (line) => process.stderr.write(`sluice: ${line}\n`),
      });
    });
}
