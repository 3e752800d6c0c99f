import { textsOf, type EncodedRows } from '../../core/rows/row-chunk.js';
import type { TableSpec } from '../../core/rows/table-spec.js';

/**
 * Rows left out of a batch's COPY because a row of the same key went before them in the same batch.
 * The key's last column is a number column (`number`, its index in the table's columns): the keys
 * sent so far are kept as numbers, by the COPY cells of the key's other columns (`prefix`, joined by
 * tabs, '' when there are none), so two keys PostgreSQL would store alike are alike here. A row
 * with a NULL key value is never left out (PostgreSQL lets NULL keys repeat).
 * Numbers, not text: a batch's keys then cost no strings to keep (text cells cut from a chunk's text
 * would keep all of it alive until the commit) and little for the collector.
 */
export interface BatchKeys {
  prefix: readonly number[];
  number: number;
  seen: Map<string, Set<number>>;
}

/**
 * Encoded rows as PostgreSQL `COPY ... FROM STDIN` text of the table's stored columns (transient
 * ones, `stored: false`, are left out): tab-separated, `\N` for NULL, with backslash, tab, newline
 * and carriage return escaped, bytes as BYTEA hex (`\\x...`). PostgreSQL text cannot hold the NUL
 * character (SQLite can): a NUL becomes U+FFFD, in text and in JSON's `\u0000` escape of json/jsonb
 * columns, as does an unpaired surrogate escape in JSON (jsonb refuses it), so one such value never
 * fails a batch. With `keys`, a row whose key the batch already
 * sent is left out (it would be a duplicate key, the first row of a key wins as `ON CONFLICT DO
 * NOTHING` has it).
 *
 * Read straight from the encoded buffers, each line built by concatenation: no array per row, and the
 * escaping regex is skipped for every cell when the rows' texts hold nothing to escape.
 */
export function copyText(rows: EncodedRows, table: TableSpec, keys?: BatchKeys): string {
  const { textLengths, numbers, blobs, blobLengths } = rows;
  const texts = textsOf(rows);
  const columns = table.columns;
  const n = columns.length;
  const kinds = columns.map((c) => c.kind);
  const stored = columns.map((c) => c.stored !== false);
  const json = columns.map((c) => /^jsonb?$/i.test(c.pgType ?? ''));
  // Per column: whether its cell is part of the key's prefix (joined in column order).
  const inPrefix = columns.map((_, i) => keys?.prefix.includes(i) === true);
  const keyNumber = keys ? keys.number : -1;
  const plain = !ESCAPED.test(texts);
  let textPos = 0;
  let textIndex = 0;
  let numIndex = 0;
  let blobPos = 0;
  let blobIndex = 0;
  let out = '';
  for (let r = 0; r < rows.count; r++) {
    let line = '';
    let first = true;
    let prefix: string | undefined;
    let keyValue = Number.NaN;
    let keyed = keys !== undefined;
    for (let c = 0; c < n; c++) {
      const kind = kinds[c];
      let cell: string;
      if (kind === 'text') {
        const len = textLengths[textIndex++] as number;
        if (len < 0) {
          cell = nullCell;
        } else {
          cell = texts.substring(textPos, textPos + len);
          textPos += len;
          if (!plain) cell = escapedCell(cell, json[c] === true);
        }
      } else if (kind === 'number') {
        const v = numbers[numIndex++] as number;
        cell = Number.isNaN(v) ? nullCell : String(v);
        if (c === keyNumber) keyValue = v;
      } else {
        const len = blobLengths[blobIndex++] as number;
        if (len < 0) {
          cell = nullCell;
        } else {
          cell = byteaCell(blobs, blobPos, len);
          blobPos += len;
        }
      }
      if (stored[c] !== true) continue;
      if (keyed && inPrefix[c] === true) {
        if (cell === nullCell) keyed = false;
        else prefix = prefix === undefined ? cell : `${prefix}\t${cell}`;
      }
      line = first ? cell : `${line}\t${cell}`;
      first = false;
    }
    if (keyed && !Number.isNaN(keyValue) && isRepeat((keys as BatchKeys).seen, prefix ?? '', keyValue)) continue;
    out += `${line}\n`;
  }
  return out;
}

/** COPY text's NULL. */
export const nullCell = '\\N';

/** A blob's COPY text: bytea in hex form, its backslash doubled by COPY's own escaping. */
export function byteaCell(blobs: Uint8Array, at: number, length: number): string {
  return `\\\\x${Buffer.from(blobs.buffer, blobs.byteOffset + at, length).toString('hex')}`;
}

/** What a text cell may hold that COPY text must escape (or, NUL, cannot hold). */
const ESCAPED = /[\\\t\n\r\0]/;

/** Whether the batch sent this key already (then the row is left out); else it is noted. */
export function isRepeat(seen: Map<string, Set<number>>, prefix: string, value: number): boolean {
  let values = seen.get(prefix);
  // A copy of the prefix is kept, not the cell cut from the chunk's text (which would keep all of that alive).
  if (!values) seen.set(ownCopy(prefix), (values = new Set()));
  const before = values.size;
  values.add(value);
  return values.size === before;
}

/** A string of its own (a substring may share, and keep alive, the string it was cut from); UTF-16 keeps any string as it is. */
function ownCopy(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

/**
 * A text cell in COPY's form: escaped, NUL replaced. In a json cell, the `\\u` escapes jsonb refuses
 * are replaced by `\\ufffd` too: `\\u0000`, and a surrogate escape that is not half of a pair (JSON
 * texts may hold one, and `JSON.stringify` writes a lone surrogate so); one would fail the batch.
 */
export function escapedCell(v: string, json: boolean): string {
  const s = json && v.includes('\\u') ? jsonbSafeEscapes(v) : v;
  return ESCAPED.test(s) ? s.replace(ESCAPED_ALL, escapeChar) : s;
}

/** The value of the four hex digits at `at`, or -1 when they are not four hex digits. */
function hex4(v: string, at: number): number {
  if (at + 4 > v.length) return -1;
  const digits = v.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? Number.parseInt(digits, 16) : -1;
}

const isHigh = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * JSON text with each `\\u0000` and each unpaired surrogate escape replaced by `\\ufffd`, every
 * other character as it was. An escaped backslash followed by `u0000` is text, not an escape.
 */
export function jsonbSafeEscapes(v: string): string {
  let out = '';
  let from = 0;
  for (let i = v.indexOf('\\'); i >= 0 && i < v.length - 1; i = v.indexOf('\\', i)) {
    if (v[i + 1] !== 'u') {
      i += 2; // another escape (\\\\ among them): its next character is not an escape's start
      continue;
    }
    const code = hex4(v, i + 2);
    if (isHigh(code) && v[i + 6] === '\\' && v[i + 7] === 'u' && isLow(hex4(v, i + 8))) {
      i += 12; // a pair: both halves stay
      continue;
    }
    if (code === 0 || isHigh(code) || isLow(code)) {
      out += `${v.slice(from, i)}\\ufffd`;
      from = i + 6;
    }
    i += 6;
  }
  return from === 0 ? v : out + v.slice(from);
}

const ESCAPED_ALL = /[\\\t\n\r\0]/g;

function escapeChar(c: string): string {
  if (c === '\0') return '\ufffd';
  return c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r';
}

