import { ratesOf } from './rates.js';
import type { TelemetrySnapshot } from '../core/telemetry-bus.js';

/** The end-of-run summary: what a user checks first, and what `--json` prints. */
export interface RunSummary {
  status: string;
  read: number;
  inserted: number;
  duplicates: number;
  bad: number;
  skipped: number;
  /** Records stored with a part left out (each logged as a warning). */
  warnings: number;
  units_done: number;
  units_skipped: number;
  seconds: number;
  rows_per_sec: number;
  dead_letter: string | null;
  sink: string;
}

export function runSummary(s: TelemetrySnapshot, sink: string, deadLetter: string | null): RunSummary {
  const c = s.counters;
  return {
    status: s.phase,
    read: c.read + c.bad,
    inserted: c.written,
    duplicates: c.duplicates,
    bad: c.bad,
    skipped: c.skipped,
    warnings: c.warnings,
    units_done: c.unitsDone,
    units_skipped: c.unitsSkipped,
    seconds: Math.round(s.elapsedSec * 1000) / 1000,
    rows_per_sec: Math.round(ratesOf(s).rowsPerSec),
    dead_letter: c.bad > 0 ? deadLetter : null,
    sink,
  };
}

/** The summary as a few aligned lines for people. */
export function formatSummary(sum: RunSummary): string {
  const lines = [
    `${sum.status}: ${sum.inserted} inserted, ${sum.duplicates} duplicates, ${sum.bad} bad, ${sum.skipped} skipped` +
      ` of ${sum.read} records in ${sum.seconds.toFixed(1)} s (${sum.rows_per_sec.toLocaleString('en')} rows/s)`,
    `  files: ${sum.units_done} read, ${sum.units_skipped} already done; sink: ${sum.sink}`,
  ];
  if (sum.warnings > 0) lines.push(`  ${sum.warnings} records stored with a part left out (see the warnings above)`);
  if (sum.dead_letter) lines.push(`  bad records written to ${sum.dead_letter}`);
  return lines.join('\n');
}
