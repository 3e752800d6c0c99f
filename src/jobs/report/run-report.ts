import { extname } from 'node:path';
import type { Writable } from 'node:stream';
import { SluiceError } from '../../core/errors.js';
import { profileByName } from '../../profiles/registry.js';
import { FORMATTERS } from '../../reports/formats/formatter-for.js';
import type { ReportDefinition, ReportParams, ReportValue } from '../../reports/report.js';
import type { ReportConfig, ReportFormat } from '../../reports/report-config.js';
import type { ReportReader, RowSource } from '../../reports/report-reader.js';
import { openReportDatabase, type OpenReportDatabase } from '../../reports/report-database.js';
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

/** `--format`, else the extension of `--out` (.csv, .json, .html), else the report's own, else table on a TTY, CSV off it. */
export function chooseFormat(config: ReportConfig, report: ReportDefinition, stdoutIsTty: boolean): ReportFormat {
  if (config.format) return config.format;
  const toFile = config.out !== undefined && config.out !== '-';
  const ext = toFile ? extname(config.out ?? '').toLowerCase() : '';
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  if (ext === '.html' || ext === '.htm') return 'html';
  if (report.options.format) return report.options.format;
  return !toFile && stdoutIsTty ? 'table' : 'csv';
}

/**
 * Runs one report: resolves it and its flags, opens the database (SQLite or PostgreSQL) read-only, and
 * streams the rows of one SQL statement (or the rows the report computed), read in one snapshot, to
 * the output in the chosen format. An empty table or an unknown session is not an error: a notice,
 * and an empty result (a CSV header, `[]`).
 */
export async function runReport(
  config: ReportConfig,
  io: ReportIo,
  /** The dashboard's keeps PostgreSQL connections open between reports. */
  open: OpenReportDatabase = openReportDatabase,
): Promise<ReportOutcome> {
  const set = reportsOf(profileByName(config.profile));
  const report = findReport(set, config.name);
  const params = resolveParams(report, config);
  const format = chooseFormat(config, report, io.stdoutIsTty);
  const { reader, missingIndexes, slowBecause } = await open(config.db, set);
  try {
    if (slowBecause !== undefined) io.notice(`note: ${reader.description}: ${slowBecause}`);
    if (missingIndexes.length > 0) {
      const into = reader.dialect === 'sqlite' ? `--db ${config.db}` : `--into ${reader.description}`;
      io.notice(
        `note: ${reader.description} lacks the report index(es) ${missingIndexes.join(', ')}, so reports are slower; ` +
          `any sluice ingest into it adds them (e.g. sluice ingest - ${into} </dev/null)`,
      );
    }
    // The reader holds one snapshot for the checks, the look-ups and the rows, even beside a writer.
    let rows: RowSource<readonly ReportValue[]> = [];
    let caption: string | undefined;
    const scope = await emptyScope(reader, set.table, set.sessionColumn, params);
    if (scope !== undefined) {
      io.notice(`${reader.description}: ${scope}`);
    } else {
      const q = await report.query(reader, params);
      caption = q.caption;
      rows = q.rows ?? (reader.rows(q.sql, q.args) as RowSource<readonly ReportValue[]>);
    }
    const output = openReportOutput(config.out, io.stdout);
    let count = 0;
    try {
      count = await writeRows(rows, FORMATTERS[format](report.columns(params), caption, report), output);
    } catch (err) {
      await output.close(false);
      throw err;
    }
    await output.close(true);
    return { report: report.name, format, rows: count };
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('SLUICE_E_REPORT', `report ${report.name} failed on ${reader.description}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await reader.close();
  }
}

/** Why there is nothing to report (empty table, unknown session), or undefined when there are rows. */
async function emptyScope(
  reader: ReportReader,
  table: string,
  sessionColumn: string,
  params: ReportParams,
): Promise<string | undefined> {
  if ((await reader.one(`SELECT 1 FROM "${table}" LIMIT 1`)) === undefined) return `table ${table} is empty`;
  if (params.session === undefined) return undefined;
  const found = await reader.one(`SELECT 1 FROM "${table}" WHERE "${sessionColumn}" = ? LIMIT 1`, [params.session]);
  return found === undefined ? `no events of session "${params.session}" (sluice report sessions lists them)` : undefined;
}
