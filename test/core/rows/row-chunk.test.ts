import { describe, expect, it } from 'vitest';
import { RowChunkBuilder, RowChunkReader, transferablesOf } from '../../../src/core/rows/row-chunk.js';
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

  it('round-trips blobs (empty, null, bytes) beside texts and numbers, also after a transfer', () => {
    const withBlob: TableSpec = {
      name: 'v',
      uniqueKey: ['id'],
      columns: [
        { name: 'id', kind: 'text', sqlType: 'TEXT', description: '' },
        { name: 'vec', kind: 'blob', sqlType: 'BLOB', description: '' },
        { name: 'n', kind: 'number', sqlType: 'INTEGER', description: '' },
        { name: 'other', kind: 'blob', sqlType: 'BLOB', description: '' },
      ],
    };
    const input: RowValue[][] = [
      ['a', new Uint8Array([1, 2, 3]), 1, null],
      ['b', null, 2, new Uint8Array(0)],
      ['c', new Uint8Array(new Float32Array([0.5, -1]).buffer), null, new Uint8Array([255])],
    ];
    const b = new RowChunkBuilder(0, withBlob);
    for (const r of input) b.add(r);
    const taken = b.take();
    const encoded = structuredClone(taken, { transfer: transferablesOf(taken) });
    const out = new RowChunkReader(encoded, withBlob).next(3, []);
    expect(out.map((v) => (v instanceof Uint8Array ? [...v] : v))).toEqual(input.flat().map((v) => (v instanceof Uint8Array ? [...v] : v)));
  });

  it('starts empty again after take', () => {
    const b = new RowChunkBuilder(0, table);
    b.add([1, 'a', 'b', 2]);
    b.take();
    expect(b.count).toBe(0);
    expect(b.take()).toMatchObject({ count: 0, texts: '' });
  });
});
