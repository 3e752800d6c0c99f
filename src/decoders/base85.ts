const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/**
 * Character code → digit value; characters outside the alphabet map to a large negative number, so
 * OR-ing the digits of a group tells in one test whether any was bad.
 */
const BAD = -(1 << 20);
const DIGIT = (() => {
  const table = new Int32Array(128).fill(BAD);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/**
 * Decodes RFC 1924 base85 text (the alphabet and padding of Python's `base64.b85decode`): groups of
 * five characters carry four bytes, big-endian; a short last group is padded with `~` and the padding
 * bytes are dropped. Returns undefined for text that is not base85 (a foreign character, a group that
 * overflows 32 bits) rather than throwing: bad vectors are data, not errors.
 */
export function decodeBase85(text: string): Uint8Array | undefined {
  const out = new Uint8Array(base85Capacity(text));
  const n = decodeBase85Into(text, out);
  return n === undefined ? undefined : out.subarray(0, n);
}

/** Bytes `decodeBase85Into` needs for `text`. */
export function base85Capacity(text: string): number {
  return Math.ceil(text.length / 5) * 4;
}

/**
 * `decodeBase85` into `out` (at least `base85Capacity(text)` bytes, which a caller may reuse from
 * call to call: no allocation); returns how many bytes it wrote, or undefined for text that is not
 * base85.
 */
export function decodeBase85Into(text: string, out: Uint8Array): number | undefined {
  const full = Math.floor(text.length / 5);
  const rest = text.length - full * 5;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let bad = 0;
  let at = 0;
  // Full groups, unrolled: this is the hot loop of every embedding (about 400 groups each).
  for (let o = 0; o < full * 4; o += 4, at += 5) {
    const c0 = text.charCodeAt(at);
    const c1 = text.charCodeAt(at + 1);
    const c2 = text.charCodeAt(at + 2);
    const c3 = text.charCodeAt(at + 3);
    const c4 = text.charCodeAt(at + 4);
    bad |= (c0 | c1 | c2 | c3 | c4) & ~0x7f;
    const d0 = DIGIT[c0 & 0x7f] as number;
    const d1 = DIGIT[c1 & 0x7f] as number;
    const d2 = DIGIT[c2 & 0x7f] as number;
    const d3 = DIGIT[c3 & 0x7f] as number;
    const d4 = DIGIT[c4 & 0x7f] as number;
    bad |= d0 | d1 | d2 | d3 | d4;
    const value = (d0 * 85 + d1) * 614125 + ((d2 * 85 + d3) * 85 + d4); // 614125 = 85^3
    if (value > 0xffffffff) return undefined;
    view.setUint32(o, value);
  }
  if (bad < 0 || bad > 0x7f) return undefined; // a character outside the alphabet, or not ASCII
  if (rest === 0) return full * 4;
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const code = i < rest ? text.charCodeAt(at + i) : 0x7e; // padded with '~'
    const digit = code < 128 ? (DIGIT[code] as number) : BAD;
    if (digit < 0) return undefined;
    value = value * 85 + digit;
  }
  if (value > 0xffffffff) return undefined;
  view.setUint32(full * 4, value);
  return full * 4 + rest - 1; // a group of k < 5 characters carries k - 1 bytes
}
