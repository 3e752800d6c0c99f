/**
 * Float32 values as JSON numbers, written as ASCII bytes: `123456789e-10`, nine significant digits
 * (enough to give back the same float32 — what Elasticsearch stores — after any correct parse).
 * This is the hot path of building a post document (768 numbers a post): `toPrecision` and string
 * concatenation cost about 4 times as much.
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
  let p = at;
  for (let i = 0; i < floats.length; i++) {
    if (i > 0) out[p++] = COMMA;
    const b = bits[i] as number;
    if ((b & 0x7fffffff) === 0) {
      out[p++] = ZERO; // 0 and -0
      continue;
    }
    let a = floats[i] as number;
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
  }
  return p;
}
