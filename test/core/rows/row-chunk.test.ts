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
    expect(b.take()).toMatchObject({ count: 0, texts: new Uint8Array(0), textEncoding: 'ascii' });
  });

  it('encodes ASCII texts a byte per character, and in UTF-8 with byte lengths from the first other character on', () => {
    const b = new RowChunkBuilder(0, table);
    b.add([1, 'abc', null, 1]);
    const ascii = b.take();
    expect(ascii.textEncoding).toBe('ascii');
    expect(ascii.textByteLengths).toBeUndefined();
    expect(Buffer.from(ascii.texts).toString('latin1')).toBe('abc');
    b.add([1, 'abc', null, 1]);
    b.add([2, 'é', '𝄞x', 2]);
    const utf8 = b.take();
    expect(utf8.textEncoding).toBe('utf8');
    expect([...(utf8.textByteLengths ?? [])]).toEqual([3, -1, 2, 5]);
    expect([...utf8.textLengths]).toEqual([3, -1, 1, 3]);
    expect(Buffer.from(utf8.texts).toString('utf8')).toBe('abcé𝄞x');
  });

  it('keeps a lone surrogate exactly (UTF-16 from it on), in a chunk that began ASCII and went UTF-8, also after a transfer', () => {
    const input: RowValue[][] = [
      [1, 'plain', null, 1],
      [2, 'ünï', 'x', 2],
      [3, 'lone \ud800 here', '\udfff', 3],
      [4, 'after', '🚀', 4],
    ].map((r) => r.map((v) => (typeof v === 'string' ? JSON.parse(`"${v}"`) as string : v)));
    const b = new RowChunkBuilder(0, table);
    for (const r of input) b.add(r);
    const taken = b.take();
    expect(taken.textEncoding).toBe('utf16le');
    const encoded = structuredClone(taken, { transfer: transferablesOf(taken) });
    expect(new RowChunkReader(encoded, table).next(4, [])).toEqual(input.flat());
  });

  it('reads a chunk a row or two at a time in each encoding, nulls and empty texts between', () => {
    const texts = { ascii: ['ab', 'cde'], utf8: ['ünï', '𝄞x'], utf16le: ['lone \ud800 here', '\udfff'] };
    for (const [encoding, [one, two]] of Object.entries(texts)) {
      const input: RowValue[][] = Array.from({ length: 7 }, (_, i) => [i, i % 3 === 0 ? null : `${i}${one}`, i % 2 ? '' : `${two}${i}`, i]);
      const b = new RowChunkBuilder(0, table);
      for (const r of input) b.add(r);
      const taken = b.take();
      expect(taken.textEncoding).toBe(encoding);
      const reader = new RowChunkReader(structuredClone(taken, { transfer: transferablesOf(taken) }), table);
      const out: RowValue[] = [];
      let i = 0;
      for (const n of [1, 2, 1, 2, 1]) {
        expect(reader.next(n, out), `${encoding}, rows ${i}..`).toEqual(input.slice(i, i + n).flat());
        i += n;
      }
      expect(reader.remaining).toBe(0);
    }
  });

  it('hands out texts that later rows do not touch, chunk after chunk', () => {
    const b = new RowChunkBuilder(0, table);
    const rowsOf = (k: number): RowValue[][] => Array.from({ length: 300 }, (_, i) => [i, `${k}:${i}:${'x'.repeat(400)}`, k % 2 ? 'é' : 'e', i]);
    const chunks = [0, 1, 2, 3].map((k) => {
      for (const r of rowsOf(k)) b.add(r);
      return b.take();
    });
    chunks.forEach((c, k) => expect(new RowChunkReader(c, table).next(300, [])).toEqual(rowsOf(k).flat()));
  });
});
