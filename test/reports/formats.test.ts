import { describe, expect, it } from 'vitest';
import { jsonFormatter } from '../../src/reports/formats/json.js';
import type { RowFormatter } from '../../src/reports/formats/row-formatter.js';
import { TABLE_WIDTH_SAMPLE, tableFormatter } from '../../src/reports/formats/table.js';
import { humanSeconds, TABLE_CELL_MAX, tableCell } from '../../src/reports/format-value.js';
import type { ReportColumn, ReportValue } from '../../src/reports/report.js';

const COLUMNS: ReportColumn[] = [
  { name: 'name', kind: 'text' },
  { name: 'n', kind: 'integer' },
  { name: 'mean', kind: 'number', decimals: 2 },
  { name: 'took_s', kind: 'seconds' },
];

function render(fmt: RowFormatter, rows: ReportValue[][]): string {
  return fmt.start() + rows.map((r) => fmt.row(r)).join('') + fmt.end(rows.length);
}

describe('JSON format', () => {
  it('is one valid array of objects, one object per line', () => {
    const text = render(jsonFormatter(COLUMNS), [
      ['a "q"', 1, 1.5, 3725],
      [null, 2, null, 0.25],
    ]);
    expect(JSON.parse(text)).toEqual([
      { name: 'a "q"', n: 1, mean: 1.5, took_s: 3725 },
      { name: null, n: 2, mean: null, took_s: 0.25 },
    ]);
    expect(text.split('\n')).toHaveLength(5);
  });

  it('is [] with no rows', () => {
    expect(JSON.parse(render(jsonFormatter(COLUMNS), []))).toEqual([]);
  });
});

describe('table format', () => {
  it('aligns text left and numbers right, with human durations and fixed decimals', () => {
    const text = render(tableFormatter(COLUMNS, 'a caption'), [
      ['alpha', 10, 1.234, 3725],
      ['b', 2, null, 9.96],
      ['tab\there\nnewline', 300, 12, 59.99],
    ]);
    expect(text).toBe(
      [
        'a caption',
        'name                  n   mean    took_s',
        '------------------  ---  -----  --------',
        'alpha                10   1.23  1h02m05s',
        'b                     2      -       10s',
        'tab\\there\\nnewline  300  12.00     1m00s',
        '',
      ].join('\n'),
    );
  });

  it('says (no rows) when there are none', () => {
    expect(render(tableFormatter(COLUMNS, undefined), [])).toBe('(no rows)\n');
  });

  it('fixes widths on the first rows, then streams', () => {
    const fmt = tableFormatter([{ name: 'v', kind: 'text' }], undefined);
    expect(fmt.start()).toBe('');
    for (let i = 0; i < TABLE_WIDTH_SAMPLE - 1; i++) expect(fmt.row(['x'])).toBe('');
    expect(fmt.row(['x']).split('\n')).toHaveLength(TABLE_WIDTH_SAMPLE + 3);
    expect(fmt.row(['later and wider'])).toBe('later and wider\n');
    expect(fmt.end(TABLE_WIDTH_SAMPLE + 1)).toBe('');
  });

  it('cuts very long text in a table only', () => {
    const long = 'y'.repeat(500);
    const line = render(tableFormatter([{ name: 'v', kind: 'text' }], undefined), [[long]]).split('\n')[2] ?? '';
    expect(line).toHaveLength(TABLE_CELL_MAX);
    expect(line.endsWith('…')).toBe(true);
  });

  it('escapes control characters, which would break the alignment or drive the terminal', () => {
    expect(tableCell({ name: 'v', kind: 'text' }, 'a\u001b[31mred\u007f\tb\r\n')).toBe('a\\u001b[31mred\\u007f\\tb\\r\\n');
  });

  it('shows durations as 12.5s under a minute and 1h02m05s above', () => {
    expect([0, 0.04, 9.96, 10.002, 29.5, 59.9, 59.96, 62, 3725].map(humanSeconds)).toEqual([
      '0s', '0s', '10s', '10s', '29.5s', '59.9s', '1m00s', '1m02s', '1h02m05s',
    ]);
  });
});
