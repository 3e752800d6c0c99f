import { describe, expect, it } from 'vitest';
import { jsonbSafeEscapes } from '../../../src/sinks/postgres/copy-text.js';

/** A random string of characters that stress the escapes: surrogate halves, NUL, backslashes, 'u', hex digits. */
function randomText(random: () => number): string {
  const pool = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '\0', '\\', 'u', '0', 'd', 'a', 'é', '"'];
  let s = '';
  const n = Math.floor(random() * 12);
  for (let i = 0; i < n; i++) s += pool[Math.floor(random() * pool.length)];
  return s;
}

/** A small seeded generator, so a failure repeats. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('jsonbSafeEscapes', () => {
  it('turns JSON.stringify of any string into JSON of that string made well formed, NUL as U+FFFD (Node\'s UTF-8 encoder as oracle)', () => {
    const random = seeded(7);
    for (let k = 0; k < 20_000; k++) {
      const s = randomText(random);
      const value = { [randomText(random)]: s, list: [s, 1] };
      const safe = jsonbSafeEscapes(JSON.stringify(value));
      // UTF-8 cannot hold a lone surrogate: Node's encoder writes U+FFFD for each, as jsonb should get.
      const wellFormed = (t: string): string => Buffer.from(t, 'utf8').toString('utf8').replaceAll('\0', '\ufffd');
      expect(JSON.parse(safe)).toEqual({ [wellFormed(Object.keys(value)[0] as string)]: wellFormed(s), list: [wellFormed(s), 1] });
    }
  });

  it('leaves pairs, other escapes and an escaped backslash before u0000 as they are', () => {
    const text = String.raw`{"a":"\ud83d\ude00 \\u0000 \\ud800 \n \" \u00e9"}`;
    expect(jsonbSafeEscapes(text)).toBe(text);
    expect(jsonbSafeEscapes(String.raw`"\udc00\ud800"`)).toBe(String.raw`"\ufffd\ufffd"`);
    expect(jsonbSafeEscapes(String.raw`"\ud800\ud800\udc00"`)).toBe(String.raw`"\ufffd\ud800\udc00"`);
  });
});
