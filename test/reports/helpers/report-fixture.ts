import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { validateConfig } from '../../../src/core/config/validate.js';
import { ReportConfigSchema } from '../../../src/reports/report-config.js';
import { type ReportOutcome, runReport } from '../../../src/jobs/report/run-report.js';
import { runSluice, tempDir } from '../../helpers/cli.js';

/** The message with a comma and quotes that every format must carry through intact. */
export const TIMEOUT_MSG = 'timeout, retry "soon"';
/** A message with a newline. */
export const TWO_LINES_MSG = 'line one\nline two';

type Rec = Record<string, unknown>;
const alpha = (seq: number, ts: number, type: string, msg: string, extra: Rec = {}): Rec => ({
  seq, ts_ms: ts, type, msg, session_id: 'alpha', pid: 1, schema: 'v1', ...extra,
});

/**
 * A small hand-made bridge log. The numbers the report tests expect are worked out from this by hand
 * (see the comments there). Sessions: alpha (10 events, gaps at and just over 10 s, NULL plates, a
 * HIT without a plate, errors), beta (one event), gamma (3 events, one 29.5 s gap). Alpha's lines are
 * shuffled so that insertion order is not seq order.
 */
export const FIXTURE_RECORDS: readonly Rec[] = [
  alpha(9, 63000, 'info', TWO_LINES_MSG, { data: { note: 'a, "b"\nc' } }),
  alpha(0, 1000, 'status', 'Ready', { t_rel_ms: 0, data: { rssi: -40 } }),
  alpha(5, 24000, 'error', TIMEOUT_MSG, { data: { code: 'E_TIMEOUT' } }),
  alpha(1, 2000, 'event', 'HIT', { plate: 'P1', t_rel_ms: 100, data: { amp: 1.5 } }),
  alpha(3, 13000, 'event', 'T0', { plate: 'P1', t_rel_ms: 300 }),
  alpha(2, 3000, 'event', 'HIT', { plate: 'P2', t_rel_ms: 200 }),
  alpha(4, 23002, 'event', 'HIT', { plate: 'P1', t_rel_ms: 400 }),
  alpha(6, 54000, 'event', 'HIT', { t_rel_ms: 500 }),
  alpha(8, 56000, 'error', 'sensor fault'),
  alpha(7, 55000, 'error', TIMEOUT_MSG),
  { seq: 0, ts_ms: 500, type: 'event', msg: 'HIT', plate: 'P1', t_rel_ms: 50, session_id: 'beta', pid: 2 },
  { seq: 0, ts_ms: 100000, type: 'debug', msg: 'tick', session_id: 'gamma', pid: 3 },
  { seq: 1, ts_ms: 100500, type: 'event', msg: 'HIT', plate: 'P3', t_rel_ms: 10, session_id: 'gamma', pid: 3 },
  { seq: 2, ts_ms: 130000, type: 'event', msg: 'HIT', plate: 'P3', t_rel_ms: 20, session_id: 'gamma', pid: 3 },
];

/** Ingests the fixture with the real CLI into a fresh database; returns its path. */
export function buildFixtureDb(): string {
  const dir = tempDir('sluice-report-');
  const file = join(dir, 'bridge.ndjson');
  writeFileSync(file, `${FIXTURE_RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const db = join(dir, 'bridge.db');
  const r = runSluice(['ingest', file, '--db', db, '--json', '--no-progress']);
  if (r.code !== 0) throw new Error(`fixture ingest failed (${r.code}): ${r.stderr}`);
  return db;
}

/** Flags of `sluice report`, as the command hands them over after parsing (strings, like argv). */
export type ReportFlags = Partial<Record<'session' | 'limit' | 'format' | 'out' | 'plate' | 'thresholdSec' | 'windowSec' | 'minutes' | 'by', string>>;

export interface InProcessResult {
  outcome: ReportOutcome;
  stdout: string;
  notices: string[];
}

/** Runs a report in-process, as the command does, capturing stdout and notices. */
export async function reportInProcess(
  db: string,
  name: string,
  flags: ReportFlags = {},
  options: { tty?: boolean } = {},
): Promise<InProcessResult> {
  const config = validateConfig(ReportConfigSchema, { name, db, ...flags });
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const notices: string[] = [];
  const outcome = await runReport(config, { stdout, stdoutIsTty: options.tty ?? false, notice: (l) => notices.push(l) });
  return { outcome, stdout: text, notices };
}
