import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unitContentOf as sniffContent } from '../../src/decoders/registry.js';
import { firstNonSpace, jsonShape } from '../../src/decoders/unit-content.js';

describe('unit content', () => {
  it('tells gzip, zip, SQLite and text apart by their first bytes, not by name', () => {
    expect(sniffContent(gzipSync('x'))).toBe('gzip');
    expect(sniffContent(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toBe('zip');
    expect(sniffContent(Buffer.from('SQLite format 3\0rest', 'latin1'))).toBe('sqlite');
    expect(sniffContent(Buffer.from('SQLite format 2\0', 'latin1'))).toBe('text');
    expect(sniffContent(Buffer.from([0x1f]))).toBe('text');
    expect(sniffContent(Buffer.alloc(0))).toBe('text');
    const offset = Buffer.from('xxSQLite format 3\0', 'latin1');
    expect(sniffContent(offset.subarray(2))).toBe('sqlite');
  });

  it('reads an array from `[` and lines otherwise; under .json only `{` means lines', () => {
    expect(jsonShape(0x5b, 'a.ndjson')).toBe('array');
    expect(jsonShape(0x7b, 'a.ndjson')).toBe('lines');
    expect(jsonShape(0x78, 'a.log')).toBe('lines');
    expect(jsonShape(0x7b, 'a.json.gz')).toBe('lines');
    expect(jsonShape(0x5b, 'a.JSON')).toBe('array');
    expect(jsonShape(0x78, 'a.json')).toBe('array');
    expect(jsonShape(undefined, 'a.json')).toBeUndefined();
  });

  it('finds the first byte that is not JSON white space', () => {
    expect(firstNonSpace(Buffer.from(' \r\n\t{'))).toBe(0x7b);
    expect(firstNonSpace(Buffer.from(' \n'))).toBeUndefined();
  });
});
