import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import { profileByName } from '../../profiles/registry.js';
import { FORMATTERS } from '../../reports/formats/formatter-for.js';
import type { ReportDefinition, ReportParams, ReportValue } from '../../reports/report.js';
import type { ReportConfig, ReportFormat } from '../../reports/report-config.js';
import { openReportDatabase } from '../../reports/report-database.js';
import { openReportOutput } from '../../reports/report-output.js';
import { findReport, reportsOf, resolveParams } from '../../reports/resolve-report.js';
import { writeRows } from '../../reports/write-rows.js';

/** What a report run talks to besides the database: injected, so tests run it in-process. */
export interface ReportIo {
  /** Where the report goes without `--out` (or with `--out -`). */
  stdout: Writable;
  /** Whether that stdout is a terminal: the default format is then a table, else CSV. */
  stdoutIsTty: boolean;
  /** One-line messages for the user (the command sends them to stderr). */
  notice(line: string): void;
}

/** What a run did. */
export interface ReportOutcome {
  report: string;
  format: ReportFormat;
  rows: number;
}

/** `--format`, else the extension of `--out` (.csv, .json), else the report's own, else table on a TTY, CSV off it. */
export function chooseFormat(config: ReportConfig, report: ReportDefinition, stdoutIsTty: boolean): ReportFormat {
  if (config.format) return config.format;
  const toFile = config.out !== undefined && config.out !== '-';
  const ext = toFile ? extname(config.out ?? '').toLowerCase() : '';
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (report.options.format) return report.options.format;
  return !toFile && stdoutIsTty ? 'table' : 'csv';
}

/**
 * Runs one report: resolves it and its flags, opens the database read-only, and streams the rows of
 * one SQL statement (or the rows the report computed), read in one snapshot, to the output in the chosen format. An empty table or an
 * unknown session is not an error: a notice, and an empty result (a CSV header, `[]`).
 */
export async function runReport(config: ReportConfig, io: ReportIo): Promise<ReportOutcome> {
  const set = reportsOf(profileByName(config.profile));
  const report = findReport(set, config.name);
  const params = resolveParams(report, config);
  const format = chooseFormat(config, report, io.stdoutIsTty);
  const { db, missingIndexes } = openReportDatabase(config.db, set);
  try {
    if (missingIndexes.length > 0) {
      io.notice(
        `note: ${config.db} lacks the report index(es) ${missingIndexes.join(', ')}, so reports are slower; ` +
          `any sluice ingest into it adds them (e.g. sluice ingest - --db ${config.db} </dev/null)`,
      );
    }
    db.exec('BEGIN'); // one snapshot for the checks, the look-ups and the rows, even beside a writer
    try {
      let rows: Iterable<readonly ReportValue[]> = [];
      let caption: string | undefined;
      const scope = emptyScope(db, set.table, set.sessionColumn, params);
      if (scope !== undefined) {
        io.notice(`${config.db}: ${scope}`);
      } else {
        const q = report.query(db, params);
        caption = q.caption;
        rows = q.rows ?? (db.prepare(q.sql).raw(true).iterate(...q.args) as Iterable<ReportValue[]>);
      }
      const output = openReportOutput(config.out, io.stdout);
      let count = 0;
      try {
        count = await writeRows(rows, FORMATTERS[format](report.columns(params), caption), output);
      } catch (err) {
        await output.close(false);
        throw err;
      }
      await output.close(true);
      return { report: report.name, format, rows: count };
    } finally {
      db.exec('COMMIT');
    }
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('SLUICE_E_REPORT', `report ${report.name} failed on ${config.db}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    db.close();
  }
}

/** Why there is nothing to report (empty table, unknown session), or undefined when there are rows. */
function emptyScope(
  db: Database.Database,
  table: string,
  sessionColumn: string,
  params: ReportParams,
): string | undefined {
  if (db.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).get() === undefined) return `table ${table} is empty`;
  if (params.session === undefined) return undefined;
  const found = db.prepare(`SELECT 1 FROM "${table}" WHERE "${sessionColumn}" = ? LIMIT 1`).get(params.session);
  return found === undefined ? `no events of session "${params.session}" (sluice report sessions lists them)` : undefined;
}
