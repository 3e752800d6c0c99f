import { describe, expect, it } from 'vitest';
import { decodeBase85 } from '../../src/decoders/base85.js';
import { b85decode, b85encode } from '../helpers/base85-reference.js';
import { mulberry32 } from '../helpers/prng.js';

describe('RFC 1924 base85 decoder (Python b85decode rules)', () => {
  it('decodes a known Python value and agrees with the reference decoder on every length 0..200', () => {
    expect(Buffer.from(decodeBase85('Xk~0{Zy<MXa%^M') ?? []).toString()).toBe('hello world');
    const rnd = mulberry32(7);
    for (let n = 0; n <= 200; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      const text = b85encode(bytes);
      expect(Array.from(decodeBase85(text) ?? [-1])).toEqual(Array.from(b85decode(text)));
    }
  });

  it('returns undefined for foreign characters and for a group that overflows 32 bits', () => {
    expect(decodeBase85('abc"e')).toBeUndefined();
    expect(decodeBase85('abcdé')).toBeUndefined();
    expect(decodeBase85('~~~~~')).toBeUndefined();
  });
});
