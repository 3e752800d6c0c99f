import { describe, expect, it } from 'vitest';
import { textBefore } from '../../../src/core/rows/text-order.js';
import { mulberry32 } from '../../helpers/prng.js';

/** The oracle: SQLite's BINARY collation compares the UTF-8 bytes, as Buffer.compare does. */
const utf8Before = (a: string, b: string): boolean => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) < 0;

describe('textBefore', () => {
  it('orders texts by their UTF-8 bytes, where a character above U+FFFF meets U+E000-U+FFFF too', () => {
    const random = mulberry32(7);
    // ASCII, Latin, U+D7FF, U+E000-U+FFFF and characters above U+FFFF (surrogate pairs in JavaScript).
    const alphabet = ['a', 'Z', '0', 'é', '\uD7FF', '\uE000', '\uFFFD', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFF}'];
    const word = (): string => Array.from({ length: 1 + Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    let disagreements = 0;
    for (let i = 0; i < 20_000; i++) {
      const [a, b] = [word(), word()];
      expect(textBefore(a, b), `${JSON.stringify(a)} < ${JSON.stringify(b)}`).toBe(utf8Before(a, b));
      if ((a < b) !== utf8Before(a, b)) disagreements += 1;
    }
    // The pairs include those where JavaScript's own `<` gets it wrong.
    expect(disagreements).toBeGreaterThan(100);
  });
});
