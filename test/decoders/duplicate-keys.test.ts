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

  it('finds a repeated key among others that end the same way, and keys of any characters', () => {
    expect(conflictingKey('{"freq":1,"seq":1,"faq":2,"seq":2}', KEYS)).toBe('seq');
    expect(conflictingKey('{"freq":1,"freq":2,"seq":1,"xsession_id":3}', KEYS)).toBeUndefined();
    expect(conflictingKey('{"session_id":"a","my_session_id":"b","session_id":"c"}', KEYS)).toBe('session_id');
    expect(conflictingKey('{"_":1,"__":2,"_":3}', ['_'])).toBe('_');
    expect(conflictingKey('{"a-1":1,"a-1":1,"a-2":2}', ['a-1', 'a-2'])).toBeUndefined();
  });

  it('names the field in the reason, with the duplicate_key code', () => {
    expect(duplicateKeyReason('seq')).toMatch(/^duplicate_key: "seq"/);
  });
});
