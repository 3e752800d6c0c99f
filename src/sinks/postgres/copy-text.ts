import { RowChunkReader, type EncodedRows } from '../../core/rows/row-chunk.js';
import type { RowValue, TableSpec } from '../../core/rows/table-spec.js';

/**
 * Encoded rows as PostgreSQL `COPY ... FROM STDIN` text of the table's stored columns (transient
 * ones, `stored: false`, are left out): tab-separated, `\N` for NULL, with backslash, tab, newline
 * and carriage return escaped, bytes as BYTEA hex (`\\x...`). PostgreSQL text cannot hold the NUL
 * character (SQLite can): a NUL becomes U+FFFD, in text and in JSON's `\u0000` escape of json/jsonb
 * columns, so one such value never fails a batch.
 */
export function copyText(rows: EncodedRows, table: TableSpec): string {
  const reader = new RowChunkReader(rows, table);
  const stored = table.columns.flatMap((c, i) => (c.stored === false ? [] : [i]));
  const json = stored.map((i) => /^jsonb?$/i.test(table.columns[i]?.pgType ?? ''));
  const values: RowValue[] = [];
  const lines: string[] = [];
  while (reader.remaining > 0) {
    reader.next(1, values);
    const cells: string[] = new Array<string>(stored.length);
    for (let i = 0; i < stored.length; i++) {
      const v = values[stored[i] as number] ?? null;
      cells[i] = cell(json[i] === true && typeof v === 'string' && v.includes('\\u0000') ? v.replace(JSON_NUL, '\\ufffd') : v);
    }
    lines.push(cells.join('\t'));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function cell(v: RowValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  // bytea in hex form; COPY's own escaping doubles the backslash.
  if (v instanceof Uint8Array) return `\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  return /[\\\t\n\r\0]/.test(v) ? v.replace(/[\\\t\n\r\0]/g, escapeChar) : v;
}

function escapeChar(c: string): string {
  if (c === '\0') return '\ufffd';
  return c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r';
}

/** A JSON `\u0000` escape (after an even number of backslashes: not an escaped backslash and `u0000`). */
const JSON_NUL = /(?<=(?:^|[^\\])(?:\\\\)*)\\u0000/g;
