import { describe, expect, it } from 'vitest';
import { FLOAT32_JSON_MAX_BYTES, writeFloat32Json } from '../../../src/profiles/posts/float32-json.js';
import { mulberry32 } from '../../helpers/prng.js';

/** The values as written: parsed back by JSON.parse, as a cluster would. */
function roundTrip(floats: Float32Array): number[] {
  const out = new Uint8Array(floats.length * (FLOAT32_JSON_MAX_BYTES + 1) + 8);
  out.fill(0x21, 0, 4); // bytes before `at` must stay as they were
  const end = writeFloat32Json(floats, out, 4);
  expect(Buffer.from(out.subarray(0, 4)).toString('latin1')).toBe('!!!!');
  expect(end - 4).toBeLessThanOrEqual(floats.length * (FLOAT32_JSON_MAX_BYTES + 1));
  return JSON.parse(`[${Buffer.from(out.subarray(4, end)).toString('latin1')}]`) as number[];
}

function expectSameFloats(floats: Float32Array): void {
  const back = roundTrip(floats);
  expect(back).toHaveLength(floats.length);
  const wrong = [...floats].flatMap((v, i) => (Math.fround(back[i] as number) === v ? [] : [`${v} -> ${back[i]}`]));
  expect(wrong).toEqual([]);
}

describe('writeFloat32Json', () => {
  it('gives back the same float32 at the edges of the range and of each decade', () => {
    const edges = [
      0, -0, 1, -1, 0.1, -0.1, 1e-7, 123456.789, 9.99999999e-5, 0.000999999, 10, 100, 1e9, 999999999, 1e10,
      3.4028234663852886e38, -3.4028234663852886e38, // largest float32
      1.1754943508222875e-38, // smallest normal
      1.401298464324817e-45, -1.401298464324817e-45, // smallest subnormal
      5.877471754111438e-39, // a subnormal
    ];
    const decades = Array.from({ length: 76 }, (_, i) => 10 ** (i - 38)).flatMap((p) => [p, Math.fround(p) * (1 - 2 ** -23), Math.fround(p) * (1 + 2 ** -23)]);
    expectSameFloats(Float32Array.from([...edges, ...decades]));
    expect(roundTrip(Float32Array.from([-0]))).toEqual([0]);
  });

  it('gives back the same float32 for 200,000 random bit patterns', () => {
    const random = mulberry32(7);
    const bits = new Uint32Array(200_000);
    for (let i = 0; i < bits.length; i++) {
      let b = Math.floor(random() * 2 ** 32) >>> 0;
      if (((b >>> 23) & 0xff) === 0xff) b &= ~(1 << 30); // NaN and infinities are not JSON: make it finite
      bits[i] = b;
    }
    expectSameFloats(new Float32Array(bits.buffer));
  });

  it('gives back the same float32 for embedding-like values (|v| < 1)', () => {
    const random = mulberry32(11);
    expectSameFloats(Float32Array.from({ length: 100_000 }, () => (random() - 0.5) * 0.4));
  });

  it('gives back the same float32 for 200,000 random values of float16 precision (13 low mantissa bits zero), tiny ones included', () => {
    const random = mulberry32(13);
    const bits = new Uint32Array(200_000);
    for (let i = 0; i < bits.length; i++) {
      let b = (Math.floor(random() * 2 ** 32) >>> 0) & ~0x1fff;
      if (((b >>> 23) & 0xff) === 0xff) b &= ~(1 << 30);
      bits[i] = b;
    }
    // Twice: the second pass writes every value from the table the first one filled.
    expectSameFloats(new Float32Array(bits.buffer));
    expectSameFloats(new Float32Array(bits.buffer));
    expectSameFloats(Float32Array.from([1.1754943508222875e-38, -1.1754943508222875e-38, 3.4028234663852886e38, 2 ** -149 * 8192]));
  });

  it('writes float16-precision values as their shortest text, others as nine significant digits', () => {
    const out = new Uint8Array(128);
    const end = writeFloat32Json(Float32Array.from([0.5, -2, 0, -0, 0.0123291015625, 0.1, -1.5e-7]), out, 0);
    expect(Buffer.from(out.subarray(0, end)).toString('latin1')).toBe('0.5,-2,0,0,0.012329102,100000001e-9,-150000005e-15');
    // At the very end of `out` there is no room for a whole table slot: the bytes are copied one by one.
    const exact = new Uint8Array(11);
    expect(writeFloat32Json(Float32Array.from([0.0123291015625]), exact, 0)).toBe(11);
    expect(Buffer.from(exact).toString('latin1')).toBe('0.012329102');
  });
});
