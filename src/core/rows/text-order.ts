/**
 * Whether text `a` sorts before `b` as SQLite's BINARY collation sorts them (`min`, `max`, `<` on
 * TEXT): by their UTF-8 bytes, which is code point order. JavaScript's `<` compares UTF-16 code units,
 * which agrees except where a surrogate pair (U+10000 and above) meets U+E000-U+FFFF: the pair's code
 * unit is the smaller, its code point the larger.
 */
export function textBefore(a: string, b: string): boolean {
  if (a === b) return false;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) < codePointRank(y) : x < y;
  }
  return a.length < b.length;
}

/** A code unit from U+D800 up, moved so that surrogates sort after U+E000-U+FFFF (ICU's fix-up). */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
