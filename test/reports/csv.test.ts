import { describe, expect, it } from 'vitest';
import { csvField, csvFormatter, csvRecord } from '../../src/reports/formats/csv.js';
import { parseCsv } from './helpers/csv-parse.js';

describe('CSV (RFC 4180)', () => {
  it('quotes only fields that need it and doubles inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(' padded ')).toBe(' padded ');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
  });

  it('ends records with CRLF', () => {
    expect(csvRecord(['a', 1, null, 'x,y'])).toBe('a,1,,"x,y"\r\n');
  });

  it('round-trips awkward text through an independent reader', () => {
    const nasty = ['', ',', '"', '""', '\n', '\r\n', 'a"b,c\nd', 'ünïcödé ✓', ' lead', 'trail ', '=1+2', '\t'];
    const rows = nasty.map((s, i) => [s, i, `${s}${s}`]);
    const fmt = csvFormatter([
      { name: 'text', kind: 'text' },
      { name: 'n', kind: 'integer' },
      { name: 'twice', kind: 'text' },
    ]);
    const text = fmt.start() + rows.map((r) => fmt.row(r)).join('') + fmt.end(rows.length);
    expect(parseCsv(text)).toEqual([['text', 'n', 'twice'], ...rows.map((r) => r.map(String))]);
  });
});
