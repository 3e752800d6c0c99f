import { describe, expect, it } from 'vitest';
import type { BadRecord } from '../../src/core/bad-record.js';
import type { RecordPosition } from '../../src/decoders/decoder.js';
import { JsonArrayDecoder } from '../../src/decoders/json-array-decoder.js';

function decode(text: string, chunkSize: number, maxRecordBytes = 1 << 20) {
  const records: Array<{ value: unknown; position: RecordPosition }> = [];
  const bads: BadRecord[] = [];
  const d = new JsonArrayDecoder(
    { file: 'f.json', maxRecordBytes },
    { record: (value, position) => records.push({ value, position }), bad: (b) => bads.push(b), skip: () => undefined },
  );
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += chunkSize) d.push(buf.subarray(i, i + chunkSize));
  d.finish('decode');
  return { records, bads, damaged: d.damaged };
}

const pretty = `[
  {"a": 1, "s": "x, y ] } {"},
  {"b": [1, 2, {"c": "\\"quoted\\" \\\\"}]},
  "scalar",
  42,
  {"ü": "ünï"}
]
`;

describe('JsonArrayDecoder', () => {
  it.each([1, 3, 7, 64, 4096])('yields each element of a pretty-printed array whatever the read size (%i)', (size) => {
    const { records, bads, damaged } = decode(pretty, size);
    expect(bads).toEqual([]);
    expect(damaged).toBeUndefined();
    expect(records.map((r) => r.value)).toEqual(JSON.parse(pretty));
    expect(records.map((r) => r.position.line)).toEqual([1, 2, 3, 4, 5]);
    const bytes = Buffer.from(pretty);
    for (const r of records) {
      expect(JSON.parse(bytes.toString('utf8', r.position.startOffset, r.position.endOffset))).toEqual(r.value);
    }
  });

  it('reads an empty array and a single top-level object', () => {
    expect(decode('[ ]', 1).records).toEqual([]);
    expect(decode(' {"only": true}\n', 2).records.map((r) => r.value)).toEqual([{ only: true }]);
  });

  it('flags an array cut short as damaged, keeping the elements before the damage', () => {
    const { records, bads, damaged } = decode('[{"a":1},{"b":2},{"c":', 5);
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(damaged).toMatch(/^truncated: .*inside element 3/);
    expect(bads[0]).toMatchObject({ line: 3, reason: damaged });
  });

  it('flags a file that is not JSON, and an invalid element without stopping', () => {
    expect(decode('hello', 2).damaged).toMatch(/^invalid_json/);
    const r = decode('[{"a":1}, {bad}, {"c":3}]', 4);
    expect(r.records.map((x) => x.value)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(r.bads.map((b) => [b.line, b.reason.split(':')[0]])).toEqual([[2, 'invalid_json']]);
    expect(r.damaged).toBeUndefined();
  });

  it('dead-letters an element over the size limit', () => {
    const r = decode(`[{"big":"${'x'.repeat(100)}"},{"ok":1}]`, 16, 50);
    expect(r.bads.map((b) => b.reason.split(':')[0])).toEqual(['line_too_long']);
    expect(r.records.map((x) => x.value)).toEqual([{ ok: 1 }]);
  });

  it('hands out the same records, raw texts and dead letters wherever the reads split the input', () => {
    // Scalars ended by a comma, a space or the closing bracket; escapes; a bad element; an element over the limit.
    const text = String.raw`[1 ,"a\\\"b", {"k":"\\"},{bad},{"big":"${'é'.repeat(20)}"}, [2,[3]] ,true,42]`;
    const events = (size: number) => {
      const out: unknown[] = [];
      const d = new JsonArrayDecoder(
        { file: 'f.json', maxRecordBytes: 30 },
        {
          record: (value, at, raw) => out.push(['record', value, at, typeof raw === 'string' ? raw : raw()]),
          // An oversized element's raw text is the part kept before it passed the limit: it depends on the reads.
          bad: (b, at) => out.push(['bad', b.reason.startsWith('line_too_long') ? { ...b, raw: '(cut)' } : b, at]),
          skip: (at) => out.push(['skip', at]),
        },
      );
      const buf = Buffer.from(text);
      for (let i = 0; i < buf.length; i += size) d.push(Buffer.from(buf.subarray(i, i + size)));
      d.finish('decode');
      return [...out, d.damaged, d.offset, d.line];
    };
    const whole = events(1 << 16);
    expect(whole.filter((e) => Array.isArray(e) && e[0] === 'record').map((e) => (e as unknown[])[3])).toEqual([
      '1',
      String.raw`"a\\\"b"`,
      String.raw`{"k":"\\"}`,
      '[2,[3]]',
      'true',
      '42',
    ]);
    expect(whole.filter((e) => Array.isArray(e) && e[0] === 'bad').map((e) => ((e as unknown[])[1] as BadRecord).reason.split(':')[0])).toEqual([
      'invalid_json',
      'line_too_long',
    ]);
    for (let size = 1; size < Buffer.byteLength(text); size++) expect(events(size)).toEqual(whole);
  });
});
