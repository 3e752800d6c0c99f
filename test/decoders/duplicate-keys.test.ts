import { describe, expect, it } from 'vitest';
import { conflictingKey, duplicateKeyReason } from '../../src/decoders/duplicate-keys.js';

const KEYS = ['session_id', 'seq'];

describe('conflictingKey', () => {
  it('finds a key field given twice with different values at the top level', () => {
    expect(conflictingKey('{"session_id":"a","seq":1,"session_id":"b"}', KEYS)).toBe('session_id');
    expect(conflictingKey('{"seq":1, "x":{"y":[1,2]}, "seq" : 2}', KEYS)).toBe('seq');
  });

  it('lets the same value twice, other fields twice, and nested copies pass', () => {
    expect(conflictingKey('{"seq":1,"seq":1.0}', KEYS)).toBeUndefined();
    expect(conflictingKey('{"seq":{"a":[1,2]},"seq":{"a":[1,2]}}', KEYS)).toBeUndefined();
    expect(conflictingKey('{"other":1,"other":2,"seq":3}', KEYS)).toBeUndefined();
    expect(conflictingKey('{"seq":1,"data":{"seq":2}}', KEYS)).toBeUndefined();
    expect(conflictingKey('{"seq":1,"note":"\\"seq\\":2"}', KEYS)).toBeUndefined();
    expect(conflictingKey('{"seq":1}', KEYS)).toBeUndefined();
  });

  it('names the field in the reason, with the duplicate_key code', () => {
    expect(duplicateKeyReason('seq')).toMatch(/^duplicate_key: "seq"/);
  });
});
