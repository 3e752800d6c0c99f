/**
 * JSON text of a value with every object's keys in sorted order, so one entry has one text whatever
 * the order its writer put the keys in, and whether it was read from the log itself or back from a
 * PostgreSQL `jsonb` column (which reorders keys). Numbers and strings are as `JSON.stringify` writes them.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(o).sort()) {
      if (o[key] === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${canonicalJson(o[key])}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
