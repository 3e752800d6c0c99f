/**
 * Float32 values as JSON numbers, written as ASCII bytes, each giving back the same float32 (what
 * Elasticsearch stores) after a correct parse. This is the hot path of building a post document (768
 * numbers a post): `toPrecision` and string concatenation cost about 4 times as much as the two ways
 * used here:
 * - a value of float16 precision (its 13 low mantissa bits zero, as every value of Megastream's
 *   vectors) is written as its shortest text (`-0.012329102`), made once per distinct value and then
 *   copied from a table: about 35,000 values occur, 11 bytes each on average;
 * - any other value is computed each time as nine significant digits (`123456789e-10`, 13 bytes).
 */

/** Most bytes one value takes: sign, 9 digits, `e`, exponent sign, 2 exponent digits. */
export const FLOAT32_JSON_MAX_BYTES = 14;

/** 10^(k - POW_BIAS) at index k: exact decimal powers over the whole float32 range (and digits' headroom). */
const POW_BIAS = 70;
const POW10 = Float64Array.from({ length: 2 * POW_BIAS }, (_, k) => Number(`1e${k - POW_BIAS}`));

/** The two ASCII digits of 0..99, at 2n and 2n + 1. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 0x30 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

/** floor(log10(2^e2)) for each biased float32 exponent: the decimal exponent to within one. */
const DECIMAL_EXPONENT = Int32Array.from({ length: 256 }, (_, biased) => Math.floor((biased - 127) * Math.log10(2)));

/** Bytes of a table slot: the longest shortest text, `-1.2345678e-38`, has 14. */
const SLOT = 16;
/** Values of float16 precision, indexed by their 19 high bits (sign, exponent, 10 mantissa bits). */
const SHORT_VALUES = 1 << 19;
const SHORT_MANTISSA_MASK = 0x1fff;

/**
 * The shortest texts of float16-precision values, filled as values are met: the ASCII bytes of each
 * in a slot of four little-endian words (copied with four stores), and its length. Allocated zeroed
 * (the allocator maps such memory lazily): only the pages of values that occur take memory, ~0.6 MB
 * for an embedding's range of exponents.
 */
let shortText: { words: Uint32Array; lengths: Uint8Array } | undefined;

const ZERO = 0x30;
const COMMA = 0x2c;
const MINUS = 0x2d;
const E = 0x65;

/**
 * Writes `floats` as comma-separated JSON numbers into `out` at `at`; returns the position after the
 * last byte. `out` must hold `floats.length * (FLOAT32_JSON_MAX_BYTES + 1)` bytes from `at`. The
 * values must be finite (NaN and infinities are not JSON).
 */
export function writeFloat32Json(floats: Float32Array, out: Uint8Array, at: number): number {
  const bits = new Int32Array(floats.buffer, floats.byteOffset, floats.length);
  const { words, lengths } = (shortText ??= {
    words: new Uint32Array(SHORT_VALUES * (SLOT / 4)),
    lengths: new Uint8Array(SHORT_VALUES),
  });
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // Whole slots are stored while they fit in `out`; the bytes past a text are overwritten next.
  const wholeSlotsUntil = out.byteLength - SLOT;
  let p = at;
  for (let i = 0; i < floats.length; i++) {
    if (i > 0) out[p++] = COMMA;
    const b = bits[i] as number;
    if ((b & 0x7fffffff) === 0) {
      out[p++] = ZERO; // 0 and -0
    } else if ((b & SHORT_MANTISSA_MASK) === 0) {
      const slot = b >>> 13;
      let length = lengths[slot] as number;
      if (length === 0) length = rememberShortest(slot, floats[i] as number, b);
      const w = slot * (SLOT / 4);
      if (p <= wholeSlotsUntil) {
        view.setUint32(p, words[w] as number, true);
        view.setUint32(p + 4, words[w + 1] as number, true);
        view.setUint32(p + 8, words[w + 2] as number, true);
        view.setUint32(p + 12, words[w + 3] as number, true);
      } else {
        for (let j = 0; j < length; j++) out[p + j] = (words[w + (j >> 2)] as number) >>> ((j & 3) * 8);
      }
      p += length;
    } else {
      p = writeNineDigits(floats[i] as number, b, out, p);
    }
  }
  return p;
}

/** A non-zero finite float32 `v` (its bits `b`) as nine significant digits, `123456789e-10`. */
function writeNineDigits(v: number, b: number, out: Uint8Array, at: number): number {
  let p = at;
  let a = v;
  if (b < 0) {
    out[p++] = MINUS;
    a = -a;
  }
  // Decimal exponent: from the binary one (subnormals: log10), then corrected to 10^e <= a < 10^(e+1).
  const biased = (b >>> 23) & 0xff;
  let e = biased === 0 ? Math.floor(Math.log10(a)) : (DECIMAL_EXPONENT[biased] as number);
  while (a >= (POW10[POW_BIAS + e + 1] as number)) e += 1;
  while (a < (POW10[POW_BIAS + e] as number)) e -= 1;
  // Nine digits as an integer (below 2^31); the double product is exact to ~1e-16, far inside
  // float32's spacing, and rounds half up.
  let m = (a * (POW10[POW_BIAS + 8 - e] as number) + 0.5) | 0;
  if (m >= 1e9) {
    m = ((m + 5) / 10) | 0;
    e += 1;
  }
  let k = p + 9;
  for (let j = 0; j < 4; j++) {
    const q = (m / 100) | 0;
    const r = (m - q * 100) * 2;
    out[--k] = PAIRS[r + 1] as number;
    out[--k] = PAIRS[r] as number;
    m = q;
  }
  out[p] = ZERO + m;
  p += 9;
  out[p++] = E;
  // The exponent of the integer mantissa: e - 8 lies in -53..30 for every float32.
  let x = e - 8;
  if (x < 0) {
    out[p++] = MINUS;
    x = -x;
  }
  if (x >= 10) {
    out[p++] = PAIRS[2 * x] as number;
    out[p++] = PAIRS[2 * x + 1] as number;
  } else {
    out[p++] = ZERO + x;
  }
  return p;
}

/**
 * Stores in its slot the shortest text that gives back the float32 `v` (bits `b`), or its nine-digit
 * text where that is no longer (tiny values: `-1.17549435e-38`); returns the text's length.
 */
function rememberShortest(slot: number, v: number, b: number): number {
  if (!shortText) throw new Error('rememberShortest before the table exists');
  const { words, lengths } = shortText;
  let shortest = '';
  for (let digits = 1; digits <= 9; digits++) {
    shortest = String(Number(v.toPrecision(digits)));
    if (Math.fround(Number(shortest)) === v) break;
  }
  const text = new Uint8Array(SLOT);
  let length = shortest.length;
  if (length <= FLOAT32_JSON_MAX_BYTES) for (let j = 0; j < length; j++) text[j] = shortest.charCodeAt(j);
  else length = writeNineDigits(v, b, text, 0);
  // Byte j of the text is byte j % 4 (little-endian) of word j / 4, whatever the platform's order.
  const w = slot * (SLOT / 4);
  for (let j = 0; j < SLOT; j++) words[w + (j >> 2)] = ((words[w + (j >> 2)] as number) | ((text[j] as number) << ((j & 3) * 8))) >>> 0;
  lengths[slot] = length;
  return length;
}
