import { describe, expect, it } from 'vitest';
import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import type { RowValue, TableSpec } from '../../../src/core/rows/table-spec.js';
import { copyBytes } from '../../../src/sinks/postgres/copy-bytes.js';
import { copyText, type BatchKeys } from '../../../src/sinks/postgres/copy-text.js';

const TABLE: TableSpec = {
  name: 't',
  uniqueKey: ['k', 'n'],
  columns: [
    { name: 'k', kind: 'text', sqlType: 'TEXT', description: '' },
    { name: 'n', kind: 'number', sqlType: 'INTEGER', description: '' },
    { name: 'doc', kind: 'text', sqlType: 'TEXT', pgType: 'JSONB', description: '' },
    { name: 'part', kind: 'text', sqlType: 'TEXT', description: '', stored: false },
    { name: 'bytes', kind: 'blob', sqlType: 'BLOB', description: '' },
    { name: 'x', kind: 'number', sqlType: 'REAL', description: '' },
  ],
};

function encoded(rows: readonly (readonly RowValue[])[]) {
  const builder = new RowChunkBuilder(0, TABLE);
  for (const r of rows) builder.add(r);
  return builder.take();
}

const keys = (): BatchKeys => ({ prefix: [0], number: 1, seen: new Map() });

/** Rows of every kind of cell: plain, NULL, escaped, NUL, JSON `\u0000`, numbers of every form, bytes. */
const ROWS: RowValue[][] = [
  ['plain', 1, '{"a":1}', 'not stored', new Uint8Array([0, 255]), 1.5],
  [null, null, null, null, null, null],
  ['tab\there', 2, '{"a":"x\\u0000y","b":"\\\\u0000"}', 'p', null, -0],
  ['line\nbreak\r\\', 3, '{}', null, new Uint8Array(0), 1e21],
  ['nul\u0000char', 4, '[]', 'p', null, 123456789012345],
  ['a'.repeat(200), 5, `{"long":"${'b'.repeat(300)}"}`, '', null, 1e15 + 1],
  ['\\N', 6, '{"s":"\\t"}', 'p', null, -12],
  ['plain', 1, '{"again":true}', 'p', null, 0.1],
  ['', 7, '""', 'p', null, Number.MAX_SAFE_INTEGER],
];

describe('copyBytes', () => {
  it('writes the bytes of copyText, ASCII rows (escapes, NUL, NULL, numbers, bytea, transient columns)', () => {
    const rows = encoded(ROWS);
    expect(copyBytes(rows, TABLE).toString('utf8')).toBe(copyText(rows, TABLE));
  });

  it('leaves out the rows whose key the batch sent, as copyText does', () => {
    const rows = encoded(ROWS);
    const bytes = copyBytes(rows, TABLE, keys()).toString('utf8');
    expect(bytes).toBe(copyText(rows, TABLE, keys()));
    expect(bytes.split('\n').filter((l) => l.startsWith('plain\t1\t'))).toHaveLength(1);
  });

  it('writes the bytes of copyText when a text is not ASCII', () => {
    const rows = encoded([...ROWS, ['é ü 𝄞 \u2028', 8, '{"e":"€"}', 'p', null, 2]]);
    expect(copyBytes(rows, TABLE).toString('utf8')).toBe(copyText(rows, TABLE));
  });

  it('escapes only the cells that need it, wherever they fall among plain ones', () => {
    const many: RowValue[][] = [];
    for (let i = 0; i < 500; i++) many.push([i % 7 === 0 ? `k\\${i}` : `k${i}`, i, i % 11 === 0 ? '{"t":"a\\tb"}' : '{}', null, null, i / 3]);
    const rows = encoded(many);
    expect(copyBytes(rows, TABLE).toString('utf8')).toBe(copyText(rows, TABLE));
  });

  it('writes the bytes of copyText when a text holds a lone surrogate (kept in UTF-16 until then)', () => {
    const lone = JSON.parse('"x\\ud800y"') as string;
    const rows = encoded([...ROWS, ['é', 8, '{}', 'p', null, 2], [lone, 9, '{"e":"€"}', 'p', null, 3]]);
    expect(rows.textEncoding).toBe('utf16le');
    const bytes = copyBytes(rows, TABLE);
    expect(bytes.equals(Buffer.from(copyText(rows, TABLE), 'utf8'))).toBe(true);
    // PostgreSQL text cannot hold a lone surrogate: UTF-8 writes U+FFFD for it.
    expect(bytes.toString('utf8')).toContain('x\ufffdy\t9\t');
  });
});
