import { describe, expect, it } from 'vitest';
import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import type { RowValue, TableSpec } from '../../../src/core/rows/table-spec.js';
import { rowBatchMessages } from '../../../src/sinks/nats/row-batches.js';

/** A table with every kind of value: text, number, blob, and a transient column that is not sent. */
const TABLE: TableSpec = {
  name: 'things',
  uniqueKey: ['id'],
  columns: [
    { name: 'id', kind: 'number', sqlType: 'INTEGER', description: 'key' },
    { name: 'name', kind: 'text', sqlType: 'TEXT', description: 'text with quotes, escapes and non-ASCII' },
    { name: 'doc', kind: 'text', sqlType: 'TEXT', description: 'transient', stored: false },
    { name: 'bytes', kind: 'blob', sqlType: 'BLOB', description: 'bytes' },
    { name: 'score', kind: 'number', sqlType: 'REAL', description: 'a real' },
  ],
};

/** Rows of `records` records, two rows each (a record's rows must stay in one message). */
function chunk(records: number, firstRecord = 1): { rows: ReturnType<RowChunkBuilder['take']>; values: RowValue[][] } {
  const b = new RowChunkBuilder(0, TABLE);
  const values: RowValue[][] = [];
  for (let r = firstRecord; r < firstRecord + records; r++) {
    for (let k = 0; k < 2; k++) {
      const id = r * 2 + k;
      const row: RowValue[] = [id, id % 7 === 0 ? null : `n"${id}\\ é ${'x'.repeat(id % 40)}\n`, 'transient', id % 5 === 0 ? null : new Uint8Array([id & 255, 0, 255]), id % 3 === 0 ? null : id / 8];
      values.push(row);
      b.add(row, r);
    }
  }
  return { rows: b.take(), values };
}

/** A row as the sink sent it before batches were serialised whole: one `JSON.stringify` of the stored values. */
function rowJson(v: RowValue[]): string {
  const out = [v[0], v[1], v[3] instanceof Uint8Array ? Buffer.from(v[3]).toString('base64') : v[3], v[4]];
  return JSON.stringify(out);
}

describe('rowBatchMessages', () => {
  it('makes the body {"table","columns","rows"} with each row exactly as one JSON array of its stored values', () => {
    const { rows, values } = chunk(30);
    const msgs = [...rowBatchMessages(rows, TABLE, 10, 1 << 20)];
    expect(msgs.map((m) => [m.firstRecord, m.lastRecord, m.rows])).toEqual([
      [1, 10, 20],
      [11, 20, 20],
      [21, 30, 20],
    ]);
    const expected = (from: number, to: number): string => `{"table":"things","columns":["id","name","bytes","score"],"rows":[${values.slice(from, to).map(rowJson).join(',')}]}`;
    expect(msgs.map((m) => m.body)).toEqual([expected(0, 20), expected(20, 40), expected(40, 60)]);
    expect(JSON.parse(msgs[0]?.body ?? '')).toMatchObject({ table: 'things', columns: ['id', 'name', 'bytes', 'score'] });
  });

  it('ends a message once its size passes maxBytes, never inside a record, and cuts the same rows the same way', () => {
    const { rows } = chunk(400);
    const maxBytes = 2000;
    const msgs = [...rowBatchMessages(rows, TABLE, 1000, maxBytes)];
    expect(msgs.length).toBeGreaterThan(10);
    let next = 1;
    for (const m of msgs) {
      expect(m.firstRecord).toBe(next); // consecutive, none left out
      expect(m.rows).toBe(2 * ((m.lastRecord ?? 0) - (m.firstRecord ?? 0) + 1)); // both rows of each record
      next = (m.lastRecord ?? 0) + 1;
    }
    expect(next).toBe(401);
    // The size counted is close to the body's: no message (but the last) is far below or above it.
    for (const m of msgs.slice(0, -1)) {
      expect(Buffer.byteLength(m.body)).toBeGreaterThan(maxBytes * 0.8);
      expect(Buffer.byteLength(m.body)).toBeLessThan(maxBytes * 1.5);
    }
    const again = [...rowBatchMessages(chunk(400).rows, TABLE, 1000, maxBytes)];
    expect(again.map((m) => m.body)).toEqual(msgs.map((m) => m.body));
  });

  it('counts a text by its UTF-8 bytes, not its characters, toward maxBytes', () => {
    const table: TableSpec = { name: 'notes', uniqueKey: ['text'], columns: [{ name: 'text', kind: 'text', sqlType: 'TEXT', description: 'CJK text' }] };
    const b = new RowChunkBuilder(0, table);
    // 100 characters of 3 bytes each (and one ASCII row: a chunk of mixed texts).
    for (let r = 1; r <= 200; r++) b.add([r === 1 ? 'plain' : `${r} ${'日'.repeat(100)}`], r);
    const maxBytes = 3000;
    const msgs = [...rowBatchMessages(b.take(), table, 1000, maxBytes)];
    expect(msgs.reduce((n, m) => n + m.rows, 0)).toBe(200);
    for (const m of msgs) expect(Buffer.byteLength(m.body)).toBeLessThan(maxBytes * 1.5);
    expect(Buffer.byteLength(msgs[0]?.body ?? '')).toBeGreaterThan(maxBytes * 0.8);
  });

  it('cuts at fixed record blocks wherever the chunk starts', () => {
    const { rows } = chunk(25, 8); // records 8..32 with blocks of 10: 8–10, 11–20, 21–30, 31–32
    const msgs = [...rowBatchMessages(rows, TABLE, 10, 1 << 20)];
    expect(msgs.map((m) => [m.firstRecord, m.lastRecord])).toEqual([
      [8, 10],
      [11, 20],
      [21, 30],
      [31, 32],
    ]);
  });
});
