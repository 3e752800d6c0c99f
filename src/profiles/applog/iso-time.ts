/** An ISO timestamp from an ISO string or epoch milliseconds; anything else is null. */
export function isoTime(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  if (typeof v !== 'string') return null;
  // Most timestamps are already what `toISOString` writes (pino's and this very function's): they
  // are their own answer, with no Date made and no text written (a twentieth of a parser thread).
  if (isIsoString(v)) return v;
  // Parsed once: `new Date(text)` is `new Date(Date.parse(text))`.
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Whether `v` is exactly what `Date.prototype.toISOString` writes of some date of the years 0000 to
 * 9999 (`YYYY-MM-DDTHH:mm:ss.sssZ`, each field in its range, the day within its month), so that
 * `new Date(Date.parse(v)).toISOString() === v`.
 */
export function isIsoString(v: string): boolean {
  if (v.length !== 24) return false;
  if (v.charCodeAt(4) !== 0x2d || v.charCodeAt(7) !== 0x2d || v.charCodeAt(10) !== 0x54 || v.charCodeAt(13) !== 0x3a) return false;
  if (v.charCodeAt(16) !== 0x3a || v.charCodeAt(19) !== 0x2e || v.charCodeAt(23) !== 0x5a) return false;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (digits(v, 20, 3) < 0) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

/** The number written by the `count` digits at `from`, or -1 when one is not a digit. */
function digits(v: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
