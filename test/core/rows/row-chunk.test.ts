import { describe, expect, it } from 'vitest';
import { RowChunkBuilder, RowChunkReader } from '../../../src/core/rows/row-chunk.js';
import type { RowValue, TableSpec } from '../../../src/core/rows/table-spec.js';

const table: TableSpec = {
  name: 't',
  uniqueKey: ['a'],
  columns: [
    { name: 'a', kind: 'number', sqlType: 'INTEGER', description: '' },
    { name: 'b', kind: 'text', sqlType: 'TEXT', description: '' },
    { name: 'c', kind: 'text', sqlType: 'TEXT', description: '' },
    { name: 'd', kind: 'number', sqlType: 'REAL', description: '' },
  ],
};

describe('row chunks', () => {
  it('round-trips texts (empty, unicode, NUL), numbers and nulls through the compact form', () => {
    const input: RowValue[][] = [
      [1, 'x', null, 1.5],
      [2, '', 'ünïcødé 🚀', null],
      [null, 'with\u0000nul', 'a,"b"\nc', -0.25],
      [Number.MAX_SAFE_INTEGER, null, null, 0],
    ];
    const b = new RowChunkBuilder(0, table);
    for (const r of input) b.add(r);
    const encoded = structuredClone(b.take());
    expect(encoded.count).toBe(4);
    const reader = new RowChunkReader(encoded, table);
    const out: RowValue[] = [];
    expect(reader.next(3, out)).toEqual(input.slice(0, 3).flat());
    expect(reader.next(1, out)).toEqual(input[3]);
    expect(reader.remaining).toBe(0);
  });

  it('starts empty again after take', () => {
    const b = new RowChunkBuilder(0, table);
    b.add([1, 'a', 'b', 2]);
    b.take();
    expect(b.count).toBe(0);
    expect(b.take()).toMatchObject({ count: 0, texts: '' });
  });
});
