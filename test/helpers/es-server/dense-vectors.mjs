import { EsError } from './protocol.mjs';

// ---------------------------------------------------------------------------------------------
// dense_vector checks on raw source bytes. The rule (kept from the first, string-based version):
// the value's text must match /^\[[\s0-9.eE+\-,]*\]$/ (read as latin1) and hold `dims` values,
// counted as commas + 1 ([] and whitespace-only brackets count 0). A post carries two 384-float
// vectors, so the common case is answered by one byte loop with no strings; only a value that
// fails it is looked at again with the string rule, which decides and words the error.

const LB = 91; // [
const RB = 93; // ]
const COMMA = 44;

// Byte classes, as bits so that the loop needs no branch per byte (a branch on "is this a comma"
// mispredicts every ~14 bytes of a float list): 1 comma, 2 not whitespace, 4 not allowed.
// Whitespace is \s below 0x80; any other byte is left to the string rule.
const COMMA_BIT = 1;
const SOLID_BIT = 2;
const BAD_BIT = 4;
const CLASS = new Uint8Array(256).fill(BAD_BIT);
for (const c of '0123456789.eE+-') CLASS[c.charCodeAt(0)] = SOLID_BIT;
CLASS[COMMA] = COMMA_BIT | SOLID_BIT;
for (const c of [9, 10, 11, 12, 13, 32]) CLASS[c] = 0;

// The loop reads two bytes at once (one Uint16, either byte order) to halve its trips. PAIR holds
// their classes together: the comma count in the low two bits, the SOLID and BAD bits shifted up
// by one; SINGLE is one byte in the same form. The 64 KB table is fine for the cache, as only
// pairs of allowed bytes are hot.
const PAIR_COMMAS = 3;
const PAIR_SOLID = SOLID_BIT << 1;
const PAIR_BAD = BAD_BIT << 1;
const asPairBits = (bits) => ((bits & (SOLID_BIT | BAD_BIT)) << 1) | (bits & COMMA_BIT);
const SINGLE = CLASS.map(asPairBits);
const PAIR = new Uint8Array(65536);
for (let pair = 0; pair < 65536; pair++) {
  const lo = CLASS[pair & 255];
  const hi = CLASS[pair >> 8];
  PAIR[pair] = asPairBits(lo | hi) + (lo & hi & COMMA_BIT);
}

/** True when b[start, end) surely passes the rule with `dims` values; false means "ask the string rule". */
function looksLikeVector(b, start, end, dims) {
  if (end - start < 2 || b[start] !== LB || b[end - 1] !== RB) return false;
  let i = start + 1;
  const stop = end - 1;
  let seen = 0;
  let commas = 0;
  // A Uint16Array view needs an even byte offset: take one byte alone first when it is odd.
  if ((b.byteOffset + i) & 1 && i < stop) {
    const bits = SINGLE[b[i++]];
    seen |= bits;
    commas += bits & PAIR_COMMAS;
  }
  const pairs = (stop - i) >> 1;
  if (pairs > 0) {
    const words = new Uint16Array(b.buffer, b.byteOffset + i, pairs);
    for (let k = 0; k < pairs; k++) {
      const bits = PAIR[words[k]];
      seen |= bits;
      commas += bits & PAIR_COMMAS;
    }
    i += pairs * 2;
  }
  if (i < stop) {
    const bits = SINGLE[b[i]];
    seen |= bits;
    commas += bits & PAIR_COMMAS;
  }
  if (seen & PAIR_BAD) return false;
  return (seen & PAIR_SOLID ? commas + 1 : 0) === dims;
}
// Runs each line of the function once before real input does: a real vector is kilobytes long, so
// V8 compiles the loop on-stack before the lines after it ever ran, and that code then
// deoptimizes on every exit for lack of type feedback (--trace-deopt showed it; half the speed).
for (const sample of ['[1,2]', '[ 1,2]', '[ ]', '[]', '[1,x]']) looksLikeVector(Buffer.from(sample), 0, sample.length, 2);

const NUMBERS_ONLY = /^\[[\s0-9.eE+\-,]*\]$/;

/** Throws the mapper_parsing_exception a real cluster answers when b[start, end) is no vector of v.dims numbers. */
export function checkVector(v, id, b, start, end) {
  if (looksLikeVector(b, start, end, v.dims)) return;
  const text = b.toString('latin1', start, end);
  if (text === 'null') return;
  const count = text.replace(/\s/g, '') === '[]' ? 0 : text.split(',').length;
  if (!NUMBERS_ONLY.test(text) || count !== v.dims) throw vectorError(v, id, text, count);
}

export function vectorError(v, id, preview, count) {
  return new EsError(400, 'mapper_parsing_exception', `failed to parse field [${v.name}] of type [dense_vector] in document with id '${id}'. Preview of field's value: '${String(preview).slice(0, 40)}'`, {
    caused_by: { type: 'illegal_argument_exception', reason: `The [dims] property was set to [${v.dims}] but the value had ${count} dimensions or a value that is not a finite number` },
  });
}
