import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { runReport } from '../../src/jobs/report/run-report.js';
import { REPORT_FORMATS, ReportConfigSchema, type ReportFormat } from '../../src/reports/report-config.js';

/** One report with its flags (as the command's options: `thresholdSec`, `limit`, `period`, ...). */
export interface ReportCase {
  name: string;
  flags?: Record<string, string | number | boolean>;
}

/** What a report wrote, in one format. */
export interface ReportText {
  text: string;
  rows: number;
  notices: string[];
}

/** Runs `sluice report` in-process (the same runReport the command runs) and returns its text. */
export async function reportText(db: string, profile: string, c: ReportCase, format: ReportFormat): Promise<ReportText> {
  const chunks: Buffer[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const notices: string[] = [];
  const config = ReportConfigSchema.parse({ name: c.name, db, profile, format, ...c.flags });
  const outcome = await runReport(config, { stdout, stdoutIsTty: false, notice: (l) => notices.push(l) });
  return { text: Buffer.concat(chunks).toString('utf8'), rows: outcome.rows, notices };
}

/** The label of a case, for messages: `gaps --thresholdSec 0.5 (csv)`. */
export function caseLabel(c: ReportCase, format: ReportFormat): string {
  const flags = Object.entries(c.flags ?? {}).map(([k, v]) => `--${k} ${String(v)}`);
  return `${[c.name, ...flags].join(' ')} (${format})`;
}

/**
 * Runs every case in every format on the SQLite file and on the PostgreSQL URL and expects the same
 * bytes. Returns the row counts per case (of the SQLite run), so a test can check the cases are not
 * all empty.
 */
export async function expectSameReports(sqlite: string, postgres: string, profile: string, cases: readonly ReportCase[]): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  for (const c of cases) {
    for (const format of REPORT_FORMATS) {
      const [lite, pg] = await Promise.all([reportText(sqlite, profile, c, format), reportText(postgres, profile, c, format)]);
      // An HTML file names the moment it was made; everything else must be the same bytes.
      const made = (text: string) => (format === 'html' ? text.replace(/Made by sluice report on [^<]*/, 'Made by sluice report on …') : text);
      expect(made(pg.text), caseLabel(c, format)).toBe(made(lite.text));
      expect(pg.rows, caseLabel(c, format)).toBe(lite.rows);
      rows.set(caseLabel(c, 'csv').replace(' (csv)', ''), lite.rows);
    }
  }
  return rows;
}
