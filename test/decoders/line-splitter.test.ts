import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineSpan } from '../../src/decoders/line-splitter.js';

function split(input: Buffer, chunkSize: number, max = 1 << 20, finish = true): Array<{ text: string } & LineSpan> {
  const out: Array<{ text: string } & LineSpan> = [];
  const s = new LineSplitter(max);
  const onLine = (buf: Buffer, start: number, end: number, span: LineSpan): void => {
    out.push({ text: buf.toString('utf8', start, end), ...span });
  };
  for (let i = 0; i < input.length; i += chunkSize) s.push(input.subarray(i, i + chunkSize), onLine);
  if (finish) s.finish(onLine);
  return out;
}

describe('LineSplitter', () => {
  const input = Buffer.from('ab\r\nc\n\nlonger line\nlast');

  it.each([1, 2, 3, 5, 64])('gives the same lines and exact offsets whatever the read size (%i)', (size) => {
    const lines = split(input, size);
    expect(lines.map((l) => l.text)).toEqual(['ab', 'c', '', 'longer line', 'last']);
    expect(lines.map((l) => [l.startOffset, l.endOffset])).toEqual([[0, 4], [4, 6], [6, 7], [7, 19], [19, 23]]);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[4]?.unterminated).toBe(true);
    expect(lines.slice(0, 4).every((l) => !l.unterminated)).toBe(true);
  });

  it('holds back a last line without newline until finish', () => {
    const lines = split(input, 4, 1 << 20, false);
    expect(lines.map((l) => l.text)).toEqual(['ab', 'c', '', 'longer line']);
  });

  it.each([1, 4, 100])('cuts an oversized line to its head but keeps offsets true (read size %i)', (size) => {
    const big = `${'x'.repeat(50)}\nok\n`;
    const lines = split(Buffer.from(big), size, 10);
    expect(lines[0]).toMatchObject({ text: 'x'.repeat(10), oversized: true, startOffset: 0, endOffset: 51 });
    expect(lines[1]).toMatchObject({ text: 'ok', oversized: false, startOffset: 51, endOffset: 54, line: 2 });
  });

  it('starts counting from a cursor', () => {
    const s = new LineSplitter(100, 1000, 41);
    const spans: LineSpan[] = [];
    s.push(Buffer.from('a\nb\n'), (_b, _s, _e, span) => spans.push(span));
    expect(spans.map((x) => [x.line, x.startOffset, x.endOffset])).toEqual([[42, 1000, 1002], [43, 1002, 1004]]);
    expect(s.offset).toBe(1004);
  });
});
