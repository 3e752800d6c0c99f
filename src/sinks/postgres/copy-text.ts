import { RowChunkReader, type EncodedRows } from '../../core/rows/row-chunk.js';
import type { RowValue, TableSpec } from '../../core/rows/table-spec.js';

/**
 * Encoded rows as PostgreSQL `COPY ... FROM STDIN` text of the table's stored columns (transient
 * ones, `stored: false`, are left out): tab-separated, `\N` for NULL, with backslash, tab, newline
 * and carriage return escaped, bytes as BYTEA hex (`\\x...`).
 */
export function copyText(rows: EncodedRows, table: TableSpec): string {
  const reader = new RowChunkReader(rows, table);
  const stored = table.columns.flatMap((c, i) => (c.stored === false ? [] : [i]));
  const values: RowValue[] = [];
  const lines: string[] = [];
  while (reader.remaining > 0) {
    reader.next(1, values);
    const cells: string[] = new Array<string>(stored.length);
    for (let i = 0; i < stored.length; i++) cells[i] = cell(values[stored[i] as number] ?? null);
    lines.push(cells.join('\t'));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function cell(v: RowValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  // bytea in hex form; COPY's own escaping doubles the backslash.
  if (v instanceof Uint8Array) return `\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, escapeChar) : v;
}

function escapeChar(c: string): string {
  return c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r';
}
