import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DecodedRecordHandler } from '../../src/decoders/decoder.js';
import type { RecordDecoderDescriptor } from '../../src/decoders/decoder-descriptor.js';
import { decoderFor } from '../../src/decoders/decoder-for.js';
import { DECODERS, recordDecoderFor, resumableDecoderFor, streamContainerOf, unitContentOf } from '../../src/decoders/registry.js';

const SQLITE_HEAD = Buffer.from('SQLite format 3\0rest of the header', 'latin1');

function collect(): { handler: DecodedRecordHandler; values: unknown[]; bad: string[] } {
  const values: unknown[] = [];
  const bad: string[] = [];
  return {
    values,
    bad,
    handler: { record: (v) => void values.push(v), bad: (b) => void bad.push(b.reason), skip: () => undefined },
  };
}

describe('decoder registry', () => {
  it('tells a unit by its first bytes through the descriptors\' sniffs, whatever its name', () => {
    expect(unitContentOf(gzipSync('{"a":1}\n'))).toBe('gzip');
    expect(unitContentOf(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe('zip');
    expect(unitContentOf(SQLITE_HEAD)).toBe('sqlite');
    expect(unitContentOf(Buffer.from('{"a":1}\n'))).toBe('text');
    expect(streamContainerOf(gzipSync('x'))?.name).toBe('gzip');
    expect(streamContainerOf(SQLITE_HEAD)).toBeUndefined();
  });

  it('the record decoders\' sniffs exclude each other: exactly one takes any JSON text', () => {
    const records = DECODERS.filter((d): d is RecordDecoderDescriptor => d.kind === 'records');
    const heads = ['[{"a":1}]', '  \n[1]', '{"a":1}\n', 'not json', '"s"\n', '7\n'];
    for (const name of ['x.ndjson', 'x.json', 'x.log', 'x.json.gz'])
      for (const head of heads) {
        const takers = records.filter((d) => d.sniff(Buffer.from(head), name)).map((d) => d.name);
        expect(takers, `${name}: ${head}`).toHaveLength(1);
      }
    const start = { file: 'x', startOffset: 0, startLine: 0 };
    expect(recordDecoderFor(Buffer.from('   \n'), start, 1024, collect().handler)).toBeUndefined();
    expect(resumableDecoderFor(start, 1024, collect().handler)).toBeDefined();
  });

  it('decoderFor reads an array and lines by their content, and a resumed unit as lines', () => {
    const array = collect();
    const a = decoderFor('u.ndjson', { maxRecordBytes: 1024, startOffset: 0, startLine: 0 }, array.handler);
    a.push(Buffer.from('  [{"n":1},'));
    a.push(Buffer.from('{"n":2}]\n'));
    a.finish('decode');
    expect(array.values).toEqual([{ n: 1 }, { n: 2 }]);
    const lines = collect();
    const l = decoderFor('u.json', { maxRecordBytes: 1024, startOffset: 0, startLine: 0 }, lines.handler);
    l.push(Buffer.from('{"n":1}\n{"n":2}\n'));
    l.finish('decode');
    expect(lines.values).toEqual([{ n: 1 }, { n: 2 }]);
    const resumed = collect();
    const r = decoderFor('u.json', { maxRecordBytes: 1024, startOffset: 8, startLine: 1 }, resumed.handler);
    r.push(Buffer.from('{"n":2}\n'));
    r.finish('decode');
    expect(resumed.values).toEqual([{ n: 2 }]);
    expect(r.offset).toBe(16);
  });

  it('the maximum record size reaches the decoder the sniff chose', () => {
    const out = collect();
    const d = decoderFor('u.ndjson', { maxRecordBytes: 32, startOffset: 0, startLine: 0 }, out.handler);
    d.push(Buffer.from(`{"long":"${'x'.repeat(100)}"}\n{"n":1}\n`));
    d.finish('decode');
    expect(out.values).toEqual([{ n: 1 }]);
    expect(out.bad[0]).toMatch(/line_too_long/);
  });
});
