/**
 * SQLite's `round(x, places)` in JavaScript, digit for digit, for the PostgreSQL reader: PostgreSQL
 * rounds only NUMERIC, and its cast from a double keeps 15 digits, so its ties come out otherwise.
 *
 * SQLite (3.53, as bundled with better-sqlite3) prints `x` with `%!.*f` and reads the text back:
 * `sqlite3FpDecode` takes 18 significant digits of |x| (`sqlite3Fp2Convert10`: the exact value scaled
 * by 10^p, rounded half up to an integer of 18 or 19 digits), then cuts them `places` after the point,
 * rounding up on a digit of 5 or more. So 1261.9495 (the double is 1261.949499999999943…) rounds to
 * 1261.949, but 16758.9195 (…91949999999999970…, whose 18 digits end in …9195000000000) to 16758.92.
 */

/** SQLite leaves values this large as they are: they have no fraction to round. */
const NO_FRACTION = 4503599627370496;

/** SQLite's floor(log10(2^q)) estimate (`pwr2to10`). */
const pwr2to10 = (q: number): number => Math.floor((q * 78913) / 2 ** 18);

/** The exact value of a positive finite double as `m * 2^e`, `m` shifted to 64 bits as SQLite does. */
function exactParts(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biased === 0) {
    const shift = 64 - fraction.toString(2).length;
    return { m: fraction << BigInt(shift), e: -1074 - shift };
  }
  return { m: (fraction << 11n) | (1n << 63n), e: biased - 1086 };
}

/** What SQLite's round(x, places) returns, for 1 <= places <= 15 (reports round to 3). */
export function sqliteRound(x: number, places: number): number {
  if (!Number.isFinite(x) || x === 0 || Math.abs(x) > NO_FRACTION) return x;
  const sign = x < 0 ? '-' : '';
  const { m, e } = exactParts(Math.abs(x));
  const p = 17 - pwr2to10(e + 63);
  // SQLite's table of powers of ten is exact up to 10^26; |x| that small rounds to 0 at any place here.
  if (p > 26 || p < 0) return Number(x.toFixed(places));
  // exact = m * 2^e * 10^p; v = floor(exact + 1/2), as SQLite's truncated product rounded on one bit.
  const scaled = m * 10n ** BigInt(p);
  const v = e >= 0 ? scaled << BigInt(e) : (scaled + (1n << BigInt(-e - 1))) >> BigInt(-e);
  let digits = v.toString();
  let point = digits.length - p; // digits before the decimal point (may be <= 0)
  let keep = point + places;
  if (keep === 0 && digits.charCodeAt(0) >= 53) {
    digits = `0${digits}`;
    point += 1;
    keep = 1;
  }
  if (keep <= 0) return Number(`${sign}0`);
  if (keep >= digits.length) return Number(`${sign}${digits}e${point - digits.length}`);
  let kept = BigInt(digits.slice(0, keep));
  if (digits.charCodeAt(keep) >= 53) kept += 1n;
  const text = kept.toString();
  if (text.length > keep) point += 1;
  return Number(`${sign}${text}e${point - text.length}`);
}
