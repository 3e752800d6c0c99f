const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** Character code → digit value, -1 for characters outside the alphabet. */
const DIGIT = (() => {
  const table = new Int8Array(128).fill(-1);
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
  const padding = (5 - (text.length % 5)) % 5;
  const groups = (text.length + padding) / 5;
  const out = new Uint8Array(groups * 4);
  let o = 0;
  for (let g = 0; g < groups; g++) {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const at = g * 5 + i;
      const code = at < text.length ? text.charCodeAt(at) : 0x7e; // '~'
      const digit = code < 128 ? (DIGIT[code] as number) : -1;
      if (digit < 0) return undefined;
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) return undefined;
    out[o++] = (value >>> 24) & 0xff;
    out[o++] = (value >>> 16) & 0xff;
    out[o++] = (value >>> 8) & 0xff;
    out[o++] = value & 0xff;
  }
  return padding > 0 ? out.subarray(0, out.length - padding) : out;
}
