import { groupDigits } from './group-digits.js';
import { ratesOf } from './rates.js';
import type { TelemetrySnapshot } from '../core/telemetry-bus.js';

/** The end-of-run summary: what a user checks first, and what `--json` prints. */
export interface RunSummary {
  status: string;
  /** Records kept for the sink (good ones after filters) plus bad ones: what `skipped` is not. */
  read: number;
  /** Every record the run looked at: read + skipped. */
  records: number;
  /** Rows stored (0 in a dry run, which counts them in `would_insert`). */
  inserted: number;
  /** A dry run (`--dry-run`): nothing stored, no duplicate checked. */
  dry_run: boolean;
  /** Rows a dry run would have sent to the sink (0 otherwise). */
  would_insert: number;
  duplicates: number;
  bad: number;
  skipped: number;
  /** Records stored with a part left out (each logged as a warning). */
  warnings: number;
  /** Units finished (a followed file counts once it is closed). */
  units_done: number;
  /** Units this run read from (finished or not: a followed file being tailed counts). */
  units_read: number;
  units_skipped: number;
  seconds: number;
  /** Rows stored or found stored (inserted + duplicates) per second. */
  rows_per_sec: number;
  /** Records looked at (read + skipped) per second: the pace of a run that filters most out. */
  records_per_sec: number;
  dead_letter: string | null;
  sink: string;
}

export function runSummary(s: TelemetrySnapshot, sink: string, deadLetter: string | null, dryRun = false): RunSummary {
  const c = s.counters;
  const records = c.read + c.bad + c.skipped;
  return {
    status: s.phase,
    read: c.read + c.bad,
    records,
    inserted: dryRun ? 0 : c.written,
    dry_run: dryRun,
    would_insert: dryRun ? c.written : 0,
    duplicates: c.duplicates,
    bad: c.bad,
    skipped: c.skipped,
    warnings: c.warnings,
    units_done: c.unitsDone,
    units_read: c.unitsRead,
    units_skipped: c.unitsSkipped,
    seconds: Math.round(s.elapsedSec * 1000) / 1000,
    rows_per_sec: Math.round(ratesOf(s).rowsPerSec),
    records_per_sec: Math.round(records / Math.max(s.elapsedSec, 0.001)),
    dead_letter: c.bad > 0 ? deadLetter : null,
    sink,
  };
}

/**
 * The summary as a few aligned lines for people. The counts add up: inserted + duplicates are the
 * rows of the records kept, and kept + bad + skipped = records; the pace is of records looked at.
 */
export function formatSummary(sum: RunSummary): string {
  const stored = sum.dry_run
    ? `${sum.would_insert} rows would be inserted (dry run: nothing stored, duplicates not checked)`
    : `${sum.inserted} inserted, ${sum.duplicates} duplicates`;
  const lines = [
    `${sum.status}: ${stored}, ${sum.bad} bad, ${sum.skipped} skipped` +
      ` of ${sum.records} records in ${sum.seconds.toFixed(1)} s (${groupDigits(sum.records_per_sec)} records/s)`,
    `  files: ${sum.units_read} read, ${sum.units_skipped} already done; sink: ${sum.sink}`,
  ];
  if (sum.warnings > 0) lines.push(`  ${sum.warnings} records stored with a part left out (see the warnings above)`);
  if (sum.dead_letter) lines.push(`  bad records written to ${sum.dead_letter}`);
  return lines.join('\n');
}
