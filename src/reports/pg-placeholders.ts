/**
 * A report's SQL with its `?` placeholders numbered as PostgreSQL wants them (`$1`, `$2`, ...). Report
 * SQL never holds a `?` inside a string literal, a quoted name or a comment (values are always bound);
 * one there would be renumbered wrongly, so it is refused rather than guessed at.
 */
export function toPgPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    if (quote !== undefined) {
      if (c === '?') throw new Error(`report SQL holds a ? inside a quoted text or name: ${sql}`);
      if (c === quote) quote = undefined;
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '-' && sql[i + 1] === '-') {
      throw new Error(`report SQL must not hold comments (a ? there would be miscounted): ${sql}`);
    } else if (c === '?') {
      n += 1;
      out += `$${n}`;
    } else {
      out += c;
    }
  }
  if (quote !== undefined) throw new Error(`report SQL has an unclosed ${quote}: ${sql}`);
  return out;
}
