import { describe, expect, it } from 'vitest';
import { NdjsonDecoder } from '../../src/decoders/ndjson-decoder.js';
import { collector } from './collect.js';

const decode = (chunks: Buffer[], finish: 'decode' | 'dead-letter' = 'decode', options: { maxLineBytes?: number; startOffset?: number; startLine?: number } = {}) => {
  const h = collector();
  const d = new NdjsonDecoder({ file: 'f.ndjson', maxLineBytes: options.maxLineBytes ?? 1024, startOffset: options.startOffset, startLine: options.startLine }, h);
  for (const c of chunks) d.push(c);
  d.finish(finish);
  return { h, d };
};

describe('NdjsonDecoder', () => {
  it('decodes one value per line with true line numbers and byte offsets, skipping blank lines', () => {
    const text = '{"a":1}\n\n  \r\n{"b":"é"}\n';
    const { h, d } = decode([Buffer.from(text)]);
    expect(h.values()).toEqual([{ a: 1 }, { b: 'é' }]);
    expect(h.events.map((e) => [e.kind, e.at.line, e.at.startOffset, e.at.endOffset])).toEqual([
      ['record', 1, 0, 8],
      ['skip', 2, 8, 9],
      ['skip', 3, 9, 13],
      ['record', 4, 13, 24],
    ]);
    expect([d.offset, d.line]).toEqual([Buffer.byteLength(text), 4]);
  });

  it('dead-letters bad JSON, invalid UTF-8 and over-long lines with their reason, and goes on', () => {
    const { h } = decode([Buffer.concat([Buffer.from('{bad\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(`{"x":"${'y'.repeat(40)}"}\n{"ok":true}\n`)])], 'decode', { maxLineBytes: 32 });
    expect(h.bads().map((b) => [b.line, b.offset, b.reason.split(':')[0]])).toEqual([
      [1, 0, 'invalid_json'],
      [2, 5, 'invalid_utf8'],
      [3, 8, 'line_too_long'],
    ]);
    expect(h.bads().every((b) => b.file === 'f.ndjson')).toBe(true);
    expect(h.values()).toEqual([{ ok: true }]);
  });

  it('joins a line and a multi-byte character split across reads', () => {
    const whole = Buffer.from('{"t":"日本"}\n{"u":2}\n');
    const chunks = [whole.subarray(0, 8), whole.subarray(8, 9), whole.subarray(9)];
    expect(decode(chunks).h.values()).toEqual([{ t: '日本' }, { u: 2 }]);
  });

  it('a last line without a newline is decoded in batch mode, dead-lettered as truncated for a closed followed file', () => {
    expect(decode([Buffer.from('{"a":1}\n{"b":2}')]).h.values()).toEqual([{ a: 1 }, { b: 2 }]);
    const { h } = decode([Buffer.from('{"a":1}\n{"b":')], 'dead-letter');
    expect(h.values()).toEqual([{ a: 1 }]);
    expect(h.bads().map((b) => b.reason.split(':')[0])).toEqual(['truncated']);
  });

  it('resumed from a cursor, keeps counting from it', () => {
    const { h, d } = decode([Buffer.from('{"c":3}\n')], 'decode', { startOffset: 100, startLine: 7 });
    expect(h.events[0]?.at).toEqual({ line: 8, startOffset: 100, endOffset: 108 });
    expect([d.offset, d.line]).toEqual([108, 8]);
  });

  it('dead-letters a record nested deeper than the limit instead of overflowing the stack', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}\n{"after":1}\n`;
    const { h } = decode([Buffer.from(deep)], 'decode', { maxLineBytes: 1 << 20 });
    expect(h.bads().map((b) => b.reason.split(':')[0])).toEqual(['too_deep']);
    expect(h.values()).toEqual([{ after: 1 }]);
  });
});
