import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config/validate.js';
import { SluiceError } from '../../src/core/errors.js';
import { BRIDGE_REPORTS } from '../../src/profiles/bridge/reports.js';
import { type ReportConfig, ReportConfigSchema } from '../../src/reports/report-config.js';
import { findReport, resolveParams } from '../../src/reports/resolve-report.js';
import { chooseFormat } from '../../src/jobs/report/run-report.js';

const config = (raw: Record<string, unknown>): ReportConfig => validateConfig(ReportConfigSchema, raw);
const report = (name: string) => findReport(BRIDGE_REPORTS, name);

function errorOf(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error('expected a SluiceError');
}

describe('report names and flags', () => {
  it('accepts snake_case and dashes alike', () => {
    expect(report('last-seen').name).toBe('last_seen');
    expect(report('errors_recent').name).toBe('errors_recent');
    expect(report('gap-list').name).toBe('gap_list');
  });

  it('lists every name when the name is unknown or missing', () => {
    const e = errorOf(() => report('hitz'));
    expect(e.code).toBe('SLUICE_E_UNKNOWN_REPORT');
    expect(e.exitCode).toBe(2);
    for (const r of BRIDGE_REPORTS.reports) expect(e.message).toContain(r.name);
    expect(errorOf(() => findReport(BRIDGE_REPORTS, undefined)).code).toBe('SLUICE_E_USAGE');
  });

  it('fills each report\'s defaults', () => {
    expect(resolveParams(report('sessions'), config({ name: 'sessions' }))).toMatchObject({ limit: 20 });
    expect(resolveParams(report('types'), config({ name: 'types' })).limit).toBeUndefined();
    expect(resolveParams(report('gaps'), config({ name: 'gaps' }))).toMatchObject({ thresholdSec: 10, limit: 50 });
    expect(resolveParams(report('cadence'), config({ name: 'cadence' }))).toMatchObject({ windowSec: 600, by: 'type_msg', limit: 20 });
    expect(resolveParams(report('errors_recent'), config({ name: 'errors_recent' }))).toMatchObject({ windowSec: 1800 });
    expect(resolveParams(report('recent'), config({ name: 'recent' }))).toMatchObject({ windowSec: 900 });
  });

  it('reads --minutes as 60 seconds each, and --limit 0 as every row', () => {
    expect(resolveParams(report('recent'), config({ name: 'recent', minutes: '2.5' })).windowSec).toBe(150);
    expect(resolveParams(report('sessions'), config({ name: 'sessions', limit: '0' })).limit).toBeUndefined();
  });

  it('refuses a flag the report does not take, naming the ones it does', () => {
    const e = errorOf(() => resolveParams(report('sessions'), config({ name: 'sessions', plate: 'P1', by: 'type' })));
    expect(e.code).toBe('SLUICE_E_USAGE');
    expect(e.message).toContain('--plate, --by');
    expect(e.message).toContain('--limit');
    expect(errorOf(() => resolveParams(report('types'), config({ name: 'types', minutes: '3' }))).message).toContain('--minutes');
  });

  it('needs --session for export, and a known --by for cadence', () => {
    expect(errorOf(() => resolveParams(report('export'), config({ name: 'export' }))).message).toContain('--session');
    const by = errorOf(() => resolveParams(report('cadence'), config({ name: 'cadence', by: 'colour' })));
    expect(by.message).toContain('type_msg, type, plate, all');
  });

  it('validates values once, naming each flag', () => {
    const e = errorOf(() => config({ name: 'gaps', limit: 'many', thresholdSec: '-1', windowSec: '5', minutes: '2' }));
    expect(e.code).toBe('SLUICE_E_CONFIG');
    expect(e.message).toContain('--limit: expected a whole number');
    expect(e.message).toContain('--threshold-sec: expected 0 or more');
    expect(e.message).toContain('--minutes: give --window-sec or --minutes, not both');
    expect(errorOf(() => config({ name: 'x', format: 'xml' })).message).toContain('--format');
  });

  it('picks the format: --format, else the --out extension, else table on a terminal and CSV off it', () => {
    const sessions = report('sessions');
    expect(chooseFormat(config({ name: 'sessions' }), sessions, true)).toBe('table');
    expect(chooseFormat(config({ name: 'sessions' }), sessions, false)).toBe('csv');
    expect(chooseFormat(config({ name: 'sessions', out: 'r.json' }), sessions, true)).toBe('json');
    expect(chooseFormat(config({ name: 'sessions', out: 'r.txt' }), sessions, true)).toBe('csv');
    expect(chooseFormat(config({ name: 'sessions', out: '-' }), sessions, true)).toBe('table');
    expect(chooseFormat(config({ name: 'sessions', format: 'json' }), sessions, true)).toBe('json');
    expect(chooseFormat(config({ name: 'export', session: 's' }), report('export'), true)).toBe('csv');
  });
});
