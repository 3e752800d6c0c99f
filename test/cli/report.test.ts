import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_REPORTS } from '../../src/profiles/bridge/reports.js';
import { runSluiceAsync, tempDir } from '../helpers/cli.js';
import { parseCsv } from '../reports/helpers/csv-parse.js';
import { buildFixtureDb } from '../reports/helpers/report-fixture.js';

const NAMES = BRIDGE_REPORTS.reports.map((r) => r.name);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

// The tests only read the fixture (or copies of it), each report in its own process: they run at once.
describe.concurrent('sluice report (the real binary)', () => {
  let db = '';
  beforeAll(() => {
    db = buildFixtureDb();
  });

  it('--list names every report on one line, with an example', async () => {
    const r = await runSluiceAsync(['report', '--list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(NAMES.length);
    lines.forEach((line, i) => {
      expect(line.startsWith(`${NAMES[i]} `)).toBe(true);
      expect(line).toMatch(/\$ sluice report [a-z_-]+ --db /);
    });
  });

  it('--help shows an example for each report, the formats and the exit codes', async () => {
    const r = await runSluiceAsync(['report', '--help']);
    expect(r.code).toBe(0);
    for (const report of BRIDGE_REPORTS.reports) expect(r.stdout).toContain(`$ ${report.example}`);
    expect(r.stdout).toContain('--threshold-sec');
    expect(r.stdout).toContain('Exit codes');
    expect(r.stdout).toContain('JSON array');
  });

  it('writes CSV when piped, and a report named with dashes works', async () => {
    const r = await runSluiceAsync(['report', 'last-seen', '--db', db, '--session', 'alpha']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(parseCsv(r.stdout)).toEqual([
      ['plate', 'events', 'first_ts_ms', 'last_ts_ms', 'span_s'],
      ['P1', '3', '2000', '23002', '21.002'],
      ['P2', '1', '3000', '3000', '0'],
    ]);
  });

  it('--format json and --out FILE (the format follows the extension)', async () => {
    const json = await runSluiceAsync(['report', 'gaps', '--db', db, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { session_id: 'alpha', gaps: 2, largest_gap_s: 30, mean_gap_s: 20.001 },
      { session_id: 'gamma', gaps: 1, largest_gap_s: 29.5, mean_gap_s: 29.5 },
    ]);
    const out = join(tempDir(), 'r', 'sessions.json');
    const r = await runSluiceAsync(['report', 'sessions', '--db', db, '--out', out, '--limit', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([
      { session_id: 'gamma', events: 3, hits: 2, t0: 0, first_ts_ms: 100000, last_ts_ms: 130000, duration_s: 30 },
    ]);
  });

  it('export --out - writes the session as CSV on stdout', async () => {
    const r = await runSluiceAsync(['report', 'export', '--db', db, '--session', 'gamma', '--out', '-']);
    expect(r.code).toBe(0);
    expect(parseCsv(r.stdout).map((row) => row.slice(0, 4))).toEqual([
      ['seq', 'ts_ms', 'type', 'msg'],
      ['0', '100000', 'debug', 'tick'],
      ['1', '100500', 'event', 'HIT'],
      ['2', '130000', 'event', 'HIT'],
    ]);
  });

  it('opens the database read-only: its bytes are the same after every report', async () => {
    const before = sha(db);
    for (const name of NAMES) {
      const r = await runSluiceAsync(['report', name, '--db', db, '--session', 'alpha', '--format', 'json']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    }
    expect(sha(db)).toBe(before);
  });

  it('an unknown session: a one-line note, exit 0, no rows', async () => {
    const r = await runSluiceAsync(['report', 'types', '--db', db, '--session', 'nope']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([
      `sluice: ${db}: no events of session "nope" (sluice report sessions lists them)`,
    ]);
    expect(parseCsv(r.stdout)).toEqual([['type', 'msg', 'events']]);
    const json = await runSluiceAsync(['report', 'types', '--db', db, '--session', 'nope', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('an empty table: a note, exit 0', async () => {
    const empty = join(tempDir(), 'empty.db');
    expect((await runSluiceAsync(['ingest', '-', '--db', empty, '--no-progress'], { input: '' })).code).toBe(0);
    const r = await runSluiceAsync(['report', 'sessions', '--db', empty, '--format', 'table']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe(`sluice: ${empty}: table events is empty`);
    expect(r.stdout).toBe('(no rows)\n');
  });

  it('no such database: exit 2, the path in one line, no stack trace', async () => {
    const missing = join(tempDir(), 'nope.db');
    const r = await runSluiceAsync(['report', 'sessions', '--db', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`sluice: no database at ${missing}`);
    expect(r.stderr).toContain('SLUICE_E_NO_DATABASE');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
  });

  it('a file that is not a bridge database: exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'text.db'), 'hello, I am not SQLite\n'.repeat(200));
    const text = await runSluiceAsync(['report', 'sessions', '--db', join(dir, 'text.db')]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('SLUICE_E_NO_DATABASE');
    const other = new Database(join(dir, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    const r = await runSluiceAsync(['report', 'sessions', '--db', join(dir, 'other.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no table events');
  });

  it('an unknown report: exit 2 with the list of names', async () => {
    const r = await runSluiceAsync(['report', 'hitz', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown report "hitz"');
    for (const name of NAMES) expect(r.stderr).toContain(name);
    expect(r.stderr).toContain('SLUICE_E_UNKNOWN_REPORT');
    const none = await runSluiceAsync(['report', '--db', db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name a report');
  });

  it('bad flags: exit 2, naming the flag', async () => {
    const cases: Array<[string[], string]> = [
      [['sessions', '--plate', 'P1'], '--plate'],
      [['cadence', '--window-sec', '60', '--minutes', '1'], '--minutes'],
      [['cadence', '--by', 'colour'], '--by'],
      [['export'], '--session'],
      [['gaps', '--threshold-sec', 'ten'], '--threshold-sec'],
      [['sessions', '--format', 'xml'], '--format'],
      [['sessions', '--limit', '-3'], '--limit'],
    ];
    for (const [args, flag] of cases) {
      const r = await runSluiceAsync(['report', ...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(flag);
    }
  });

  it('says when a database lacks the report indexes, and still answers', async () => {
    const dir = tempDir();
    const copy = join(dir, 'old.db');
    writeFileSync(copy, readFileSync(db));
    const d = new Database(copy);
    d.exec('DROP INDEX events_session_ts');
    d.close();
    const r = await runSluiceAsync(['report', 'types', '--db', copy, '--session', 'beta']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('lacks the report index(es) events_session_ts');
    expect(parseCsv(r.stdout)).toEqual([
      ['type', 'msg', 'events'],
      ['event', 'HIT', '1'],
    ]);
  });
});
