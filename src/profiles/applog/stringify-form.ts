const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  Colon = 0x3a,
  Comma = 0x2c,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  LowerB = 0x62,
  LowerE = 0x65,
  UpperE = 0x45,
  LowerF = 0x66,
  LowerN = 0x6e,
  LowerR = 0x72,
  LowerT = 0x74,
}

/**
 * Whether `text`, the JSON text a value was parsed from (`keys`: how many keys its objects have in
 * all, counted on the parsed value), is exactly what `JSON.stringify` writes of that value, so the
 * text can stand for it. It must be written as `JSON.stringify` writes: no space outside strings; no
 * escapes but `\"`, `\\`, `\b`, `\f`, `\n`, `\r` and `\t`, and no lone surrogate; numbers as
 * `String(n)` writes them (no exponent, no trailing zero of a fraction, no `-0`, at most 15
 * significant digits, so the text is the shortest that reads back as that number, between 1e-6 and
 * 1e21); no key made of digits but as the first of its object (an integer-like key comes first in a
 * parsed object's key order); and as many keys (colons) as the parsed value has (a repeated key is
 * parsed into one). Anything else says no, and the caller writes `JSON.stringify` of the value: a
 * no costs nothing but that.
 */
export function isStringifyForm(text: string, keys: number): boolean {
  if (!(text as unknown as WellFormed).isWellFormed()) return false; // a lone surrogate
  // Without a backslash a string ends at the next quote: found by `indexOf`, not char by char.
  const escapes = text.includes('\\');
  const n = text.length;
  let colons = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === C.Quote) {
      const open = i;
      i = escapes ? stringEnd(text, i + 1) : text.indexOf('"', i + 1) + 1;
      if (i === 0) return false;
      if (i < 0) return false;
      if (text.charCodeAt(i) === C.Colon) {
        colons += 1;
        if (open > 0 && text.charCodeAt(open - 1) !== C.OpenBrace && allDigits(text, open + 1, i - 1)) return false;
        i += 1;
      }
    } else if (c === C.Comma || c === C.OpenBrace || c === C.CloseBrace || c === C.OpenBracket || c === C.CloseBracket) {
      i += 1;
    } else if (c === C.Minus || (c >= C.Zero && c <= C.Nine)) {
      i = numberEnd(text, i);
      if (i < 0) return false;
    } else if (c === C.LowerT || c === C.LowerN) {
      i += 4; // true, null (the text parsed)
    } else if (c === C.LowerF) {
      i += 5; // false
    } else {
      return false; // a space
    }
  }
  return colons === keys;
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20): no lone surrogate. */
interface WellFormed {
  isWellFormed(): boolean;
}

/**
 * The index after the closing quote of the string whose body starts at `from`, or -1 when
 * `JSON.stringify` would write an escape in it otherwise (a raw control character cannot be in
 * text that parsed).
 */
export function stringEnd(text: string, from: number): number {
  const n = text.length;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === C.Quote) return i + 1;
    if (c === C.Backslash) {
      const e = text.charCodeAt(i + 1);
      if (e !== C.Quote && e !== C.Backslash && e !== C.LowerN && e !== C.LowerT && e !== C.LowerR && e !== C.LowerB && e !== C.LowerF) return -1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return -1;
}

/** The index after the number at `i`, or -1 when `String(number)` would write it otherwise. */
export function numberEnd(text: string, from: number): number {
  let i = from;
  const negative = text.charCodeAt(i) === C.Minus;
  if (negative) i += 1;
  const intStart = i;
  while (isDigit(text.charCodeAt(i))) i += 1;
  const intDigits = i - intStart;
  if (intDigits === 0 || (intDigits > 1 && text.charCodeAt(intStart) === C.Zero)) return -1;
  const zeroInt = intDigits === 1 && text.charCodeAt(intStart) === C.Zero;
  let fracDigits = 0;
  let leadingZeros = 0;
  if (text.charCodeAt(i) === C.Dot) {
    i += 1;
    const fracStart = i;
    while (text.charCodeAt(i) === C.Zero) i += 1;
    leadingZeros = i - fracStart;
    while (isDigit(text.charCodeAt(i))) i += 1;
    fracDigits = i - fracStart;
    if (fracDigits === 0 || text.charCodeAt(i - 1) === C.Zero) return -1;
  }
  const e = text.charCodeAt(i);
  if (e === C.LowerE || e === C.UpperE) return -1;
  if (zeroInt) {
    if (fracDigits === 0) return negative ? -1 : i;
    return leadingZeros <= 5 && fracDigits - leadingZeros <= 15 ? i : -1;
  }
  return intDigits + fracDigits <= 15 ? i : -1;
}

function isDigit(c: number): boolean {
  return c >= C.Zero && c <= C.Nine;
}

/** Whether `text[start, end)` (a key, without its quotes) is made of digits only. */
export function allDigits(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}
