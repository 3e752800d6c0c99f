import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { TableSpec } from '../../core/rows/table-spec.js';
import { byteaCell, copyText, escapedCell, isRepeat, nullCell, type BatchKeys } from './copy-text.js';

/**
 * Encoded rows as the bytes of PostgreSQL `COPY ... FROM STDIN` text: the same bytes as `copyText`
 * encoded in UTF-8 (see there), built straight into one buffer from the rows' UTF-8 texts. Each
 * cell is copied from them; only the cells that hold a byte COPY must escape (found with `indexOf`,
 * one pass per byte; UTF-8 never has an ASCII byte inside another character) go through
 * `copyText`'s escaping. Building the text of a batch as a string of many pieces and encoding it
 * costs about twice as much (measured, app-log rows: most of it flattening the string). Texts in
 * UTF-16 (a lone surrogate, which PostgreSQL text cannot hold either) take `copyText`'s way, then
 * one encoding.
 */
export function copyBytes(rows: EncodedRows, table: TableSpec, keys?: BatchKeys): Buffer {
  const lengths = rows.textEncoding === 'ascii' ? rows.textLengths : rows.textEncoding === 'utf8' ? rows.textByteLengths : undefined;
  if (!lengths) return Buffer.from(copyText(rows, table, keys), 'utf8');
  const { texts } = rows;
  return new CopyWriter(rows, table, Buffer.from(texts.buffer, texts.byteOffset, texts.byteLength), lengths, keys).write();
}

/** Bytes COPY must escape in a text cell (NUL, which PostgreSQL text cannot hold, is replaced). */
const SPECIAL = [0x5c, 0x09, 0x0a, 0x0d, 0x00] as const;
const TAB = 0x09;
const NEWLINE = 0x0a;
/** Cells shorter than this are copied byte by byte (a typed-array copy costs more for a few bytes). */
const SHORT = 48;
/** Integers up to this are written digit by digit (`String(v)` writes them without an exponent up to 1e21). */
const MAX_DIGITS_INT = 1e15;

/** One batch's COPY bytes, written into a buffer that grows as needed. */
class CopyWriter {
  private out: Uint8Array;
  private pos = 0;
  /** The same bytes as a plain view (a Buffer's `subarray` costs more). */
  private readonly src: Uint8Array;
  /** Per byte of `SPECIAL`, where it next occurs in `src` at or after the cell being written (-1: nowhere). */
  private readonly next: number[];

  constructor(
    private readonly rows: EncodedRows,
    private readonly table: TableSpec,
    /** The texts in UTF-8 (searched with Buffer's `indexOf`: a typed array's reads byte by byte). */
    private readonly encoded: Buffer,
    /** The byte length of each text in `encoded`; -1 is NULL. */
    private readonly textBytes: Int32Array,
    private readonly keys: BatchKeys | undefined,
  ) {
    // Room for the texts, and per row a tab or newline per column and a number's digits.
    this.out = new Uint8Array(encoded.length + rows.count * table.columns.length * 4 + 1024);
    this.src = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.length);
    this.next = SPECIAL.map((b) => encoded.indexOf(b));
  }

  write(): Buffer {
    const { rows, table, keys } = this;
    const { numbers, blobs, blobLengths } = rows;
    const textBytes = this.textBytes;
    const columns = table.columns;
    const n = columns.length;
    const kinds = columns.map((c) => c.kind);
    const stored = columns.map((c) => c.stored !== false);
    const json = columns.map((c) => /^jsonb?$/i.test(c.pgType ?? ''));
    const inPrefix = columns.map((_, i) => keys?.prefix.includes(i) === true);
    const keyNumber = keys ? keys.number : -1;
    const lastStored = stored.lastIndexOf(true);
    let textPos = 0;
    let textIndex = 0;
    let numIndex = 0;
    let blobPos = 0;
    let blobIndex = 0;
    for (let r = 0; r < rows.count; r++) {
      const rowStart = this.pos;
      let prefix: string | undefined;
      let keyValue = Number.NaN;
      let keyed = keys !== undefined;
      for (let c = 0; c < n; c++) {
        const kind = kinds[c];
        const keep = stored[c] === true;
        // The cell's text when it is part of the key's prefix (COPY's form, as `copyText` keys it).
        let cell: string | undefined;
        if (kind === 'text') {
          const len = textBytes[textIndex++] as number;
          if (len < 0) {
            if (keep) this.ascii(nullCell);
            cell = nullCell;
          } else {
            const start = textPos;
            textPos += len;
            if (keep) this.text(start, textPos, json[c] === true);
            if (keyed && inPrefix[c] === true) cell = escapedCell(this.encoded.toString('utf8', start, textPos), json[c] === true);
          }
        } else if (kind === 'number') {
          const v = numbers[numIndex++] as number;
          if (c === keyNumber) keyValue = v;
          if (keyed && inPrefix[c] === true) cell = Number.isNaN(v) ? nullCell : String(v);
          if (keep) this.number(v);
        } else {
          const len = blobLengths[blobIndex++] as number;
          if (len < 0) {
            cell = nullCell;
          } else {
            cell = byteaCell(blobs, blobPos, len);
            blobPos += len;
          }
          if (keep) this.ascii(cell);
        }
        if (!keep) continue;
        if (keyed && inPrefix[c] === true) {
          if (cell === nullCell) keyed = false;
          else prefix = prefix === undefined ? cell : `${prefix}\t${cell}`;
        }
        this.byte(c === lastStored ? NEWLINE : TAB);
      }
      if (keyed && !Number.isNaN(keyValue) && isRepeat((keys as BatchKeys).seen, prefix ?? '', keyValue)) this.pos = rowStart;
    }
    return Buffer.from(this.out.buffer, this.out.byteOffset, this.pos);
  }

  /** Copies the text cell at `src[start, end)`, escaped when it holds a byte that must be. */
  private text(start: number, end: number, json: boolean): void {
    if (this.special(start) < end) {
      const escaped = Buffer.from(escapedCell(this.encoded.toString('utf8', start, end), json), 'utf8');
      this.room(escaped.length);
      this.out.set(escaped, this.pos);
      this.pos += escaped.length;
      return;
    }
    const len = end - start;
    this.room(len);
    const out = this.out;
    const src = this.src;
    let pos = this.pos;
    if (len < SHORT) {
      for (let i = start; i < end; i++) out[pos++] = src[i] as number;
    } else {
      out.set(src.subarray(start, end), pos);
      pos += len;
    }
    this.pos = pos;
  }

  /** Where the first byte COPY must escape is at or after `from` (`src.length` when none is). */
  private special(from: number): number {
    const next = this.next;
    let first = this.src.length;
    for (let k = 0; k < next.length; k++) {
      let at = next[k] as number;
      if (at < 0) continue;
      if (at < from) next[k] = at = this.encoded.indexOf(SPECIAL[k] as number, from);
      if (at >= 0 && at < first) first = at;
    }
    return first;
  }

  /** Writes a number cell as `String(v)` would (`\N` for NaN); integers digit by digit, with no string. */
  private number(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > MAX_DIGITS_INT) {
      this.ascii(Number.isNaN(v) ? nullCell : String(v));
      return;
    }
    this.room(16);
    const out = this.out;
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let pos = this.pos + digits;
    this.pos = pos;
    let x = v;
    do {
      const q = Math.floor(x / 10);
      out[--pos] = 0x30 + (x - q * 10);
      x = q;
    } while (x > 0);
  }

  /** Writes an ASCII string (a number, `\N`, a bytea's hex). */
  private ascii(s: string): void {
    this.room(s.length);
    const out = this.out;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
    this.pos = pos;
  }

  private byte(b: number): void {
    this.room(1);
    this.out[this.pos++] = b;
  }

  /** Makes room for `more` bytes after `pos`. */
  private room(more: number): void {
    if (this.pos + more <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.pos + more + 1024));
    grown.set(this.out.subarray(0, this.pos));
    this.out = grown;
  }
}
