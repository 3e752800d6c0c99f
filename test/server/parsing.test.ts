import { describe, expect, it } from 'vitest';
import { parseByteRange } from '../../src/server/byte-range.js';
import { canonicalJson, fingerprintOf } from '../../src/server/ldo-entry.js';
import { parseMetadata } from '../../src/server/metadata.js';
import { declaredTypeFits, sniffVideo } from '../../src/server/video-types.js';
import { mp4Bytes, webmBytes } from './helpers.js';

describe('magic bytes', () => {
  it('tells MP4, QuickTime, WebM and Matroska apart and refuses others', () => {
    expect(sniffVideo(mp4Bytes(64))?.ext).toBe('mp4');
    const qt = mp4Bytes(64);
    qt.write('qt  ', 8, 'latin1');
    expect(sniffVideo(qt)?.ext).toBe('mov');
    const oldQt = Buffer.alloc(64);
    oldQt.write('moov', 4, 'latin1');
    expect(sniffVideo(oldQt)?.ext).toBe('mov');
    expect(sniffVideo(webmBytes(64))?.ext).toBe('webm');
    const mkv = Buffer.concat([Buffer.from('1a45dfa3a34286810142f7810142f281044282886d6174726f736b61', 'hex'), Buffer.alloc(30)]);
    expect(sniffVideo(mkv)?.ext).toBe('mkv');
    expect(sniffVideo(Buffer.from('GIF89a.........................'))).toBeUndefined();
    expect(sniffVideo(Buffer.alloc(3))).toBeUndefined();
  });

  it('checks a declared type against the family it sniffed', () => {
    const mp4 = sniffVideo(mp4Bytes(64))!;
    expect(declaredTypeFits('video/mp4', mp4)).toBe(true);
    expect(declaredTypeFits('video/quicktime', mp4)).toBe(true);
    expect(declaredTypeFits('application/octet-stream', mp4)).toBe(true);
    expect(declaredTypeFits('video/webm', mp4)).toBe(false);
    expect(declaredTypeFits('image/png', mp4)).toBe(false);
  });
});

describe('metadata', () => {
  it('accepts objects, refuses the rest with a code', () => {
    expect(parseMetadata('{"ldo_id": "A", "x": [1]}', 100)).toEqual({ ldo_id: 'A', x: [1] });
    expect(parseMetadata('{"ldo_id": 7}', 100)).toEqual({ ldo_id: 7 });
    const code = (f: () => unknown): string => {
      try {
        f();
        return 'none';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    expect(code(() => parseMetadata('x', 100))).toBe('metadata_invalid_json');
    expect(code(() => parseMetadata('null', 100))).toBe('metadata_not_object');
    expect(code(() => parseMetadata('[{"__proto__": 1}]', 100))).toBe('metadata_not_object');
    expect(code(() => parseMetadata('{"a": [{"__proto__": 1}]}', 100))).toBe('metadata_forbidden_key');
    expect(code(() => parseMetadata(`{"a": "${'x'.repeat(200)}"}`, 100))).toBe('metadata_too_large');
    expect(code(() => parseMetadata('{"ldo_id": ""}', 100))).toBe('metadata_bad_ldo_id');
  });

  it('fingerprints metadata whatever its key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    expect(fingerprintOf({ a: 1, b: 2 }, null)).toBe(fingerprintOf({ b: 2, a: 1 }, null));
    expect(fingerprintOf({ a: 1 }, 'x')).not.toBe(fingerprintOf({ a: 1 }, null));
  });
});

describe('Range', () => {
  it('parses single ranges and knows the unsatisfiable ones', () => {
    expect(parseByteRange(undefined, 100)).toBeUndefined();
    expect(parseByteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseByteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange('bytes=95-200', 100)).toEqual({ start: 95, end: 99 });
    expect(parseByteRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseByteRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=5-1', 100)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseByteRange('items=0-1', 100)).toBeUndefined();
  });
});
