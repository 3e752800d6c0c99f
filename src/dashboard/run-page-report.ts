import { Writable } from 'node:stream';
import { runReport } from '../jobs/report/run-report.js';
import type { ReportColumn } from '../reports/report.js';
import { chartOf, type ReportChart } from '../reports/report-chart.js';
import type { ReportConfig } from '../reports/report-config.js';
import { openReportDatabase, type OpenReportDatabase } from '../reports/report-database.js';
import type { ReportRequest } from './report-request.js';

/** What one run of a report gave a page: its rows, notices and time. */
export interface ReportRun {
  /** One object per row, keyed by column name. */
  rows: Record<string, unknown>[];
  /** What `sluice report` would print on stderr (an empty table, an unknown session, a missing index). */
  notices: string[];
  /** Time spent in the report, in milliseconds. */
  ms: number;
}

/** What a page draws: the rows exactly as `sluice report NAME --format json` writes them. */
export interface PageReport extends ReportRun {
  report: string;
  columns: readonly ReportColumn[];
  chart: ReportChart;
  /** True when the answer was kept from an earlier run on the same, unchanged database. */
  cached?: boolean;
}

/**
 * Runs a report through the very code of `sluice report` (`runReport`, JSON format) and parses what it
 * wrote: the page gets the command's numbers by construction. Rows are a report's aggregates
 * (bounded by its `--limit`), never the raw events.
 */
export async function runReportRows(config: ReportConfig, open: OpenReportDatabase = openReportDatabase): Promise<ReportRun> {
  const started = performance.now();
  const chunks: Buffer[] = [];
  const notices: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      done();
    },
  });
  await runReport({ ...config, format: 'json', out: undefined }, {
    stdout: sink,
    stdoutIsTty: false,
    notice: (line) => notices.push(line),
  }, open);
  const rows = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[];
  return { rows, notices, ms: Math.round(performance.now() - started) };
}

/** A report's run as a page draws it. */
export function pageReportOf(request: ReportRequest, run: ReportRun): PageReport {
  return {
    report: request.report.name,
    columns: request.columns,
    chart: chartOf(request.report.chart, request.columns),
    ...run,
  };
}

/** Runs a page's report here, on this thread (see `ReportThreads` for SQLite). */
export async function runPageReport(request: ReportRequest, open: OpenReportDatabase = openReportDatabase): Promise<PageReport> {
  return pageReportOf(request, await runReportRows(request.config, open));
}
