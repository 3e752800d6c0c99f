import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { parseCsv } from '../../reports/helpers/csv-parse.js';
import {
  buildFixtureDb,
  type ReportFlags,
  reportInProcess,
  TIMEOUT_MSG,
  TWO_LINES_MSG,
} from '../../reports/helpers/report-fixture.js';

type Cell = string | number | null;

/**
 * One expectation, worked out by hand from FIXTURE_RECORDS (test/reports/helpers/report-fixture.ts):
 *
 *   alpha: seq ts_ms  type   msg                    plate t_rel   (gap to previous, ms)
 *           0   1000  status Ready                  -      0
 *           1   2000  event  HIT                    P1   100     1000
 *           2   3000  event  HIT                    P2   200     1000
 *           3  13000  event  T0                     P1   300    10000  = 10 s: NOT over the threshold
 *           4  23002  event  HIT                    P1   400    10002  > 10 s
 *           5  24000  error  timeout, retry "soon"  -      -      998
 *           6  54000  event  HIT                    -    500    30000  > 10 s
 *           7  55000  error  timeout, retry "soon"  -      -     1000
 *           8  56000  error  sensor fault           -      -     1000
 *           9  63000  info   line one\nline two     -      -     7000
 *   beta:   0    500  event  HIT                    P1    50            (a session with one event)
 *   gamma:  0 100000  debug  tick                   -      -
 *           1 100500  event  HIT                    P3    10      500
 *           2 130000  event  HIT                    P3    20    29500  > 10 s
 *
 * `rows` are the values of CSV and JSON (durations in seconds); `table` the cells of the table format
 * where they differ from the plain value (durations as 1m02s, decimals fixed, NULL as -).
 */
interface Case {
  title: string;
  report: string;
  flags?: ReportFlags;
  columns: string[];
  rows: Cell[][];
  table?: string[][];
}

const SESSIONS_COLUMNS = ['session_id', 'events', 'hits', 't0', 'first_ts_ms', 'last_ts_ms', 'duration_s'];
const TYPES_COLUMNS = ['type', 'msg', 'events'];
const HITS_COLUMNS = ['plate', 'hits', 'min_t_rel_ms', 'max_t_rel_ms', 'mean_t_rel_ms'];
const GAPS_COLUMNS = ['session_id', 'gaps', 'largest_gap_s', 'mean_gap_s'];
const GAP_LIST_COLUMNS = ['session_id', 'seq_before', 'seq_after', 'gap_s', 'ts_before_ms', 'ts_after_ms'];
const LAST_SEEN_COLUMNS = ['plate', 'events', 'first_ts_ms', 'last_ts_ms', 'span_s'];
const ERRORS_COLUMNS = ['msg', 'errors', 'last_ts_ms'];

const CASES: Case[] = [
  {
    title: 'sessions: newest last ts_ms first; alpha lasts 63000-1000 ms = 62 s; beta has one event',
    report: 'sessions',
    columns: SESSIONS_COLUMNS,
    rows: [
      ['gamma', 3, 2, 0, 100000, 130000, 30],
      ['alpha', 10, 4, 1, 1000, 63000, 62],
      ['beta', 1, 1, 0, 500, 500, 0],
    ],
    table: [
      ['gamma', '3', '2', '0', '100000', '130000', '30s'],
      ['alpha', '10', '4', '1', '1000', '63000', '1m02s'],
      ['beta', '1', '1', '0', '500', '500', '0s'],
    ],
  },
  {
    title: 'sessions --limit 1',
    report: 'sessions',
    flags: { limit: '1' },
    columns: SESSIONS_COLUMNS,
    rows: [['gamma', 3, 2, 0, 100000, 130000, 30]],
    table: [['gamma', '3', '2', '0', '100000', '130000', '30s']],
  },
  {
    title: 'types: HIT is 4 in alpha + 1 in beta + 2 in gamma; ties by type, msg',
    report: 'types',
    columns: TYPES_COLUMNS,
    rows: [
      ['event', 'HIT', 7],
      ['error', TIMEOUT_MSG, 2],
      ['debug', 'tick', 1],
      ['error', 'sensor fault', 1],
      ['event', 'T0', 1],
      ['info', TWO_LINES_MSG, 1],
      ['status', 'Ready', 1],
    ],
  },
  {
    title: 'types --session alpha',
    report: 'types',
    flags: { session: 'alpha' },
    columns: TYPES_COLUMNS,
    rows: [
      ['event', 'HIT', 4],
      ['error', TIMEOUT_MSG, 2],
      ['error', 'sensor fault', 1],
      ['event', 'T0', 1],
      ['info', TWO_LINES_MSG, 1],
      ['status', 'Ready', 1],
    ],
  },
  {
    title: 'hits: P1 = alpha 100, 400 + beta 50 (mean 550/3); the HIT without a plate is its own row, last',
    report: 'hits',
    columns: HITS_COLUMNS,
    rows: [
      ['P1', 3, 50, 400, 183.333],
      ['P3', 2, 10, 20, 15],
      ['P2', 1, 200, 200, 200],
      [null, 1, 500, 500, 500],
    ],
    table: [
      ['P1', '3', '50.0', '400.0', '183.3'],
      ['P3', '2', '10.0', '20.0', '15.0'],
      ['P2', '1', '200.0', '200.0', '200.0'],
      ['-', '1', '500.0', '500.0', '500.0'],
    ],
  },
  {
    title: 'hits --session alpha',
    report: 'hits',
    flags: { session: 'alpha' },
    columns: HITS_COLUMNS,
    rows: [
      ['P1', 2, 100, 400, 250],
      ['P2', 1, 200, 200, 200],
      [null, 1, 500, 500, 500],
    ],
    table: [
      ['P1', '2', '100.0', '400.0', '250.0'],
      ['P2', '1', '200.0', '200.0', '200.0'],
      ['-', '1', '500.0', '500.0', '500.0'],
    ],
  },
  {
    title: 'hits --plate P1',
    report: 'hits',
    flags: { plate: 'P1' },
    columns: HITS_COLUMNS,
    rows: [['P1', 3, 50, 400, 183.333]],
    table: [['P1', '3', '50.0', '400.0', '183.3']],
  },
  {
    title: 'gaps: a gap of exactly 10 s is not over 10 s; alpha has 10002 and 30000 ms (mean 20001), gamma 29500',
    report: 'gaps',
    columns: GAPS_COLUMNS,
    rows: [
      ['alpha', 2, 30, 20.001],
      ['gamma', 1, 29.5, 29.5],
    ],
    table: [
      ['alpha', '2', '30s', '20s'],
      ['gamma', '1', '29.5s', '29.5s'],
    ],
  },
  {
    title: 'gaps --threshold-sec 29.5: 30000 ms is over it, gamma\'s 29500 ms is not',
    report: 'gaps',
    flags: { thresholdSec: '29.5' },
    columns: GAPS_COLUMNS,
    rows: [['alpha', 1, 30, 30]],
    table: [['alpha', '1', '30s', '30s']],
  },
  {
    title: 'gaps --threshold-sec 30: no gap is longer than 30 s',
    report: 'gaps',
    flags: { thresholdSec: '30' },
    columns: GAPS_COLUMNS,
    rows: [],
  },
  {
    title: 'gaps --threshold-sec 0: every gap; alpha\'s 9 gaps add up to 63000-1000 ms (mean 62000/9)',
    report: 'gaps',
    flags: { thresholdSec: '0' },
    columns: GAPS_COLUMNS,
    rows: [
      ['alpha', 9, 30, 6.889],
      ['gamma', 2, 29.5, 15],
    ],
    table: [
      ['alpha', '9', '30s', '6.9s'],
      ['gamma', '2', '29.5s', '15s'],
    ],
  },
  {
    title: 'gap_list: largest first, with seq and ts_ms at both ends',
    report: 'gap_list',
    columns: GAP_LIST_COLUMNS,
    rows: [
      ['alpha', 5, 6, 30, 24000, 54000],
      ['gamma', 1, 2, 29.5, 100500, 130000],
      ['alpha', 3, 4, 10.002, 13000, 23002],
    ],
    table: [
      ['alpha', '5', '6', '30s', '24000', '54000'],
      ['gamma', '1', '2', '29.5s', '100500', '130000'],
      ['alpha', '3', '4', '10s', '13000', '23002'],
    ],
  },
  {
    title: 'gap_list --limit 2',
    report: 'gap_list',
    flags: { limit: '2' },
    columns: GAP_LIST_COLUMNS,
    rows: [
      ['alpha', 5, 6, 30, 24000, 54000],
      ['gamma', 1, 2, 29.5, 100500, 130000],
    ],
    table: [
      ['alpha', '5', '6', '30s', '24000', '54000'],
      ['gamma', '1', '2', '29.5s', '100500', '130000'],
    ],
  },
  {
    title: 'gap_list --session gamma',
    report: 'gap_list',
    flags: { session: 'gamma' },
    columns: GAP_LIST_COLUMNS,
    rows: [['gamma', 1, 2, 29.5, 100500, 130000]],
    table: [['gamma', '1', '2', '29.5s', '100500', '130000']],
  },
  {
    title: 'last_seen: events without a plate are left out; P1 spans beta 500 to alpha 23002',
    report: 'last_seen',
    columns: LAST_SEEN_COLUMNS,
    rows: [
      ['P3', 2, 100500, 130000, 29.5],
      ['P1', 4, 500, 23002, 22.502],
      ['P2', 1, 3000, 3000, 0],
    ],
    table: [
      ['P3', '2', '100500', '130000', '29.5s'],
      ['P1', '4', '500', '23002', '22.5s'],
      ['P2', '1', '3000', '3000', '0s'],
    ],
  },
  {
    title: 'last-seen --session alpha (dashes accepted)',
    report: 'last-seen',
    flags: { session: 'alpha' },
    columns: LAST_SEEN_COLUMNS,
    rows: [
      ['P1', 3, 2000, 23002, 21.002],
      ['P2', 1, 3000, 3000, 0],
    ],
    table: [
      ['P1', '3', '2000', '23002', '21s'],
      ['P2', '1', '3000', '3000', '0s'],
    ],
  },
  {
    title: 'cadence --window-sec 30: the window ends at the table\'s newest ts_ms 130000, so only gamma',
    report: 'cadence',
    flags: { windowSec: '30' },
    columns: ['type', 'msg', 'events', 'per_min'],
    rows: [
      ['event', 'HIT', 2, 4],
      ['debug', 'tick', 1, 2],
    ],
    table: [
      ['event', 'HIT', '2', '4.00'],
      ['debug', 'tick', '1', '2.00'],
    ],
  },
  {
    title: 'cadence --session alpha --window-sec 9: from 63000-9000 = 54000, both ends included',
    report: 'cadence',
    flags: { session: 'alpha', windowSec: '9' },
    columns: ['type', 'msg', 'events', 'per_min'],
    rows: [
      ['error', 'sensor fault', 1, 6.667],
      ['error', TIMEOUT_MSG, 1, 6.667],
      ['event', 'HIT', 1, 6.667],
      ['info', TWO_LINES_MSG, 1, 6.667],
    ],
    table: [
      ['error', 'sensor fault', '1', '6.67'],
      ['error', TIMEOUT_MSG, '1', '6.67'],
      ['event', 'HIT', '1', '6.67'],
      ['info', 'line one\\nline two', '1', '6.67'],
    ],
  },
  {
    title: 'cadence --by all --window-sec 9: 4 events (54000 is in), 4*60/9 per minute',
    report: 'cadence',
    flags: { session: 'alpha', windowSec: '9', by: 'all' },
    columns: ['events', 'per_min'],
    rows: [[4, 26.667]],
    table: [['4', '26.67']],
  },
  {
    title: 'cadence --by all --window-sec 8.999: from 54001, so seq 6 at 54000 is out',
    report: 'cadence',
    flags: { session: 'alpha', windowSec: '8.999', by: 'all' },
    columns: ['events', 'per_min'],
    rows: [[3, 20.002]],
    table: [['3', '20.00']],
  },
  {
    title: 'cadence --minutes 1 --by plate: from 3000: seq 2..9; no plate 5, P1 2, P2 1',
    report: 'cadence',
    flags: { session: 'alpha', minutes: '1', by: 'plate' },
    columns: ['plate', 'events', 'per_min'],
    rows: [
      [null, 5, 5],
      ['P1', 2, 2],
      ['P2', 1, 1],
    ],
    table: [
      ['-', '5', '5.00'],
      ['P1', '2', '2.00'],
      ['P2', '1', '1.00'],
    ],
  },
  {
    title: 'cadence --minutes 1 --by type',
    report: 'cadence',
    flags: { session: 'alpha', minutes: '1', by: 'type' },
    columns: ['type', 'events', 'per_min'],
    rows: [
      ['event', 4, 4],
      ['error', 3, 3],
      ['info', 1, 1],
    ],
    table: [
      ['event', '4', '4.00'],
      ['error', '3', '3.00'],
      ['info', '1', '1.00'],
    ],
  },
  {
    title: 'cadence default (600 s, type_msg, limit 20): everything, per minute = events / 10',
    report: 'cadence',
    columns: ['type', 'msg', 'events', 'per_min'],
    rows: [
      ['event', 'HIT', 7, 0.7],
      ['error', TIMEOUT_MSG, 2, 0.2],
      ['debug', 'tick', 1, 0.1],
      ['error', 'sensor fault', 1, 0.1],
      ['event', 'T0', 1, 0.1],
      ['info', TWO_LINES_MSG, 1, 0.1],
      ['status', 'Ready', 1, 0.1],
    ],
    table: [
      ['event', 'HIT', '7', '0.70'],
      ['error', TIMEOUT_MSG, '2', '0.20'],
      ['debug', 'tick', '1', '0.10'],
      ['error', 'sensor fault', '1', '0.10'],
      ['event', 'T0', '1', '0.10'],
      ['info', 'line one\\nline two', '1', '0.10'],
      ['status', 'Ready', '1', '0.10'],
    ],
  },
  {
    title: 'errors_recent --session alpha --window-sec 9: seq 7 and 8 only (seq 5 at 24000 is out)',
    report: 'errors_recent',
    flags: { session: 'alpha', windowSec: '9' },
    columns: ERRORS_COLUMNS,
    rows: [
      ['sensor fault', 1, 56000],
      [TIMEOUT_MSG, 1, 55000],
    ],
  },
  {
    title: 'errors_recent default (1800 s): both timeouts',
    report: 'errors_recent',
    columns: ERRORS_COLUMNS,
    rows: [
      [TIMEOUT_MSG, 2, 55000],
      ['sensor fault', 1, 56000],
    ],
  },
  {
    title: 'recent --window-sec 30: gamma only',
    report: 'recent',
    flags: { windowSec: '30' },
    columns: TYPES_COLUMNS,
    rows: [
      ['event', 'HIT', 2],
      ['debug', 'tick', 1],
    ],
  },
  {
    title: 'recent --session alpha --minutes 0.15 (9 s)',
    report: 'recent',
    flags: { session: 'alpha', minutes: '0.15' },
    columns: TYPES_COLUMNS,
    rows: [
      ['error', 'sensor fault', 1],
      ['error', TIMEOUT_MSG, 1],
      ['event', 'HIT', 1],
      ['info', TWO_LINES_MSG, 1],
    ],
  },
];

/** A table cell as the table format shows a plain value. */
function plainCell(v: Cell): string {
  if (v === null) return '-';
  return String(v).replace(/\n/g, '\\n');
}

/** The cells of a table: caption (a `window:` line) and the header rule dropped, split on 2+ spaces. */
function tableCells(text: string): { header: string[]; rows: string[][]; caption: string | undefined } {
  const lines = text.split('\n').filter((l) => l !== '');
  const caption = lines[0]?.startsWith('window:') ? lines.shift() : undefined;
  if (lines[0] === '(no rows)') return { header: [], rows: [], caption };
  const split = (l: string) => l.trim().split(/ {2,}/);
  expect(lines[1]).toMatch(/^[- ]+$/);
  return { header: split(lines[0] ?? ''), rows: lines.slice(2).map(split), caption };
}

describe('bridge reports on a hand-made fixture', () => {
  let db = '';
  beforeAll(() => {
    db = buildFixtureDb();
  });

  describe.each(CASES)('$title', (c) => {
    it('CSV: header and values, durations in seconds', async () => {
      const r = await reportInProcess(db, c.report, { ...c.flags, format: 'csv' });
      expect(r.notices).toEqual([]);
      expect(parseCsv(r.stdout)).toEqual([c.columns, ...c.rows.map((row) => row.map((v) => (v === null ? '' : String(v))))]);
      expect(r.outcome.rows).toBe(c.rows.length);
    });

    it('JSON: an array of objects keyed by column', async () => {
      const r = await reportInProcess(db, c.report, { ...c.flags, format: 'json' });
      const expected = c.rows.map((row) => Object.fromEntries(c.columns.map((name, i) => [name, row[i]])));
      expect(JSON.parse(r.stdout)).toEqual(expected);
    });

    it('table: aligned, durations human, NULL as -', async () => {
      const r = await reportInProcess(db, c.report, { ...c.flags, format: 'table' });
      const t = tableCells(r.stdout);
      if (c.rows.length === 0) {
        expect(r.stdout.trim().split('\n').at(-1)).toBe('(no rows)');
        return;
      }
      expect(t.header).toEqual(c.columns);
      expect(t.rows).toEqual(c.table ?? c.rows.map((row) => row.map(plainCell)));
    });
  });

  it('prints the sessions table exactly, numbers right-aligned', async () => {
    const r = await reportInProcess(db, 'sessions', {}, { tty: true });
    expect(r.outcome.format).toBe('table');
    expect(r.stdout).toBe(
      [
        'session_id  events  hits  t0  first_ts_ms  last_ts_ms  duration_s',
        '----------  ------  ----  --  -----------  ----------  ----------',
        'gamma            3     2   0       100000      130000         30s',
        'alpha           10     4   1         1000       63000       1m02s',
        'beta             1     1   0          500         500          0s',
        '',
      ].join('\n'),
    );
  });

  it('captions a windowed table with the window it covers, anchored at the newest ts_ms in scope', async () => {
    const r = await reportInProcess(db, 'cadence', { session: 'alpha', windowSec: '9', format: 'table' });
    expect(tableCells(r.stdout).caption).toBe('window: the last 9s of session alpha, ts_ms 54000 to 63000 (the newest)');
    const csv = await reportInProcess(db, 'cadence', { session: 'alpha', windowSec: '9', format: 'csv' });
    expect(csv.stdout).not.toContain('window');
  });

  describe('export --session alpha', () => {
    function dbRows(): Cell[][] {
      const d = new Database(db, { readonly: true });
      try {
        return d
          .prepare(
            "SELECT seq, ts_ms, type, msg, plate, t_rel_ms, session_id, pid, schema, data_json FROM events WHERE session_id = 'alpha' ORDER BY seq",
          )
          .raw(true)
          .all() as Cell[][];
      } finally {
        d.close();
      }
    }
    const EXPORT_COLUMNS = ['seq', 'ts_ms', 'type', 'msg', 'plate', 't_rel_ms', 'session_id', 'pid', 'schema', 'data_json'];

    it('CSV: every row in seq order; commas, quotes and newlines survive a round trip through two CSV readers', async () => {
      const dir = tempDir();
      const out = join(dir, 'session.csv');
      const r = await reportInProcess(db, 'export', { session: 'alpha', out });
      expect(r.outcome).toMatchObject({ format: 'csv', rows: 10 });
      expect(r.stdout).toBe('');
      const text = readFileSync(out, 'utf8');
      const parsed = parseCsv(text);
      const expected = [EXPORT_COLUMNS, ...dbRows().map((row) => row.map((v) => (v === null ? '' : String(v))))];
      expect(parsed).toEqual(expected);
      expect(parsed.slice(1).map((row) => row[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(parsed[6]?.[3]).toBe(TIMEOUT_MSG);
      expect(parsed[10]?.[3]).toBe(TWO_LINES_MSG);
      expect(JSON.parse(parsed[10]?.[9] ?? '{}')).toEqual({ note: 'a, "b"\nc' });

      // Python's csv module, the reader the users' old tool was written against.
      const py = spawnSync(
        'python3',
        ['-c', 'import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))', out],
        { encoding: 'utf8' },
      );
      if (py.error) throw new Error('python3 is needed for the CSV round-trip check');
      expect(JSON.parse(py.stdout)).toEqual(expected);
    });

    it('JSON: the same rows as objects', async () => {
      const r = await reportInProcess(db, 'export', { session: 'alpha', format: 'json' });
      const rows = JSON.parse(r.stdout) as Array<Record<string, Cell>>;
      expect(rows).toEqual(dbRows().map((row) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, row[i]]))));
      expect(rows[9]?.msg).toBe(TWO_LINES_MSG);
    });

    it('table: one line per row, the newline in msg escaped', async () => {
      const r = await reportInProcess(db, 'export', { session: 'alpha', format: 'table' });
      const t = tableCells(r.stdout);
      expect(t.header).toEqual(EXPORT_COLUMNS);
      expect(t.rows).toHaveLength(10);
      expect(t.rows.map((row) => row[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(t.rows[9]?.[3]).toBe('line one\\nline two');
      expect(t.rows[5]?.[3]).toBe(TIMEOUT_MSG);
    });

    it('is CSV by default even on a terminal, and --limit keeps the first rows', async () => {
      const r = await reportInProcess(db, 'export', { session: 'alpha', limit: '3' }, { tty: true });
      expect(r.outcome.format).toBe('csv');
      expect(parseCsv(r.stdout).map((row) => row[0])).toEqual(['seq', '0', '1', '2']);
    });
  });
});
