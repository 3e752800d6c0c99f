/**
 * An independent reference implementation of RFC 1924 base85 as Python's `base64.b85encode` /
 * `base64.b85decode` define it, written from the spec so tests can check the production decoder
 * against something that does not share its code.
 *
 * Python's rules, which this follows exactly:
 * - alphabet `0-9A-Za-z!#$%&()*+-;<=>?@^_\`{|}~`, each 4-byte big-endian word → 5 digits;
 * - encoding pads the input with zero bytes to a multiple of 4 and drops as many trailing digits;
 * - decoding pads the text with `~` (digit 84) to a multiple of 5 and drops as many trailing bytes;
 *   a 5-digit group above 2^32 − 1 is an error ("base85 overflow"), as is any other character.
 *   (A text of length 5k + 1 therefore decodes to the bytes of its first k groups, or overflows.)
 */
import { inflateSync } from 'node:zlib';

export const B85_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

const DIGIT = new Int16Array(128).fill(-1);
for (let i = 0; i < B85_ALPHABET.length; i++) DIGIT[B85_ALPHABET.charCodeAt(i)] = i;

/** Decodes base85 text; throws on a character outside the alphabet or a group that overflows. */
export function b85decode(text: string): Uint8Array {
  const padding = (5 - (text.length % 5)) % 5;
  const groups = (text.length + padding) / 5;
  const out = new Uint8Array(groups * 4);
  for (let g = 0; g < groups; g++) {
    let acc = 0;
    for (let j = 0; j < 5; j++) {
      const pos = g * 5 + j;
      let digit = 84;
      if (pos < text.length) {
        const code = text.charCodeAt(pos);
        digit = code < 128 ? (DIGIT[code] ?? -1) : -1;
        if (digit < 0) throw new Error(`bad base85 character at position ${pos}`);
      }
      acc = acc * 85 + digit; // at most 85^5 − 1 < 2^53: exact in a double
    }
    if (acc > 0xffffffff) throw new Error(`base85 overflow in hunk starting at byte ${g * 5}`);
    out[g * 4] = Math.floor(acc / 0x1000000) & 0xff;
    out[g * 4 + 1] = (acc >>> 16) & 0xff;
    out[g * 4 + 2] = (acc >>> 8) & 0xff;
    out[g * 4 + 3] = acc & 0xff;
  }
  return out.subarray(0, out.length - padding);
}

/** Encodes bytes as base85 text without padding (Python's `b85encode(b)` with `pad=False`). */
export function b85encode(bytes: Uint8Array): string {
  const padding = (4 - (bytes.length % 4)) % 4;
  let text = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let word = 0;
    for (let j = 0; j < 4; j++) word = word * 256 + (bytes[i + j] ?? 0);
    const digits = new Array<string>(5);
    for (let j = 4; j >= 0; j--) {
      digits[j] = B85_ALPHABET.charAt(word % 85);
      word = Math.floor(word / 85);
    }
    text += digits.join('');
  }
  return text.slice(0, text.length - padding);
}

/**
 * Decodes one Megastream embedding: base85 → zlib (with header) inflate → little-endian float32.
 * Returns undefined when any step fails or the byte count is not a multiple of 4; the caller checks
 * the dimension it expects.
 */
export function decodeEmbedding(text: string): Float32Array | undefined {
  let raw: Buffer;
  try {
    raw = inflateSync(b85decode(text));
  } catch {
    return undefined;
  }
  if (raw.length % 4 !== 0) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const floats = new Float32Array(raw.length / 4);
  for (let i = 0; i < floats.length; i++) floats[i] = view.getFloat32(i * 4, true);
  return floats;
}
