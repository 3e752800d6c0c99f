import type { ColumnKind, RowValue, TableSpec } from './table-spec.js';

/**
 * How the texts of `EncodedRows` are encoded: `ascii` (every text is ASCII: a byte is a character),
 * `utf8`, or `utf16le` when a text holds a lone surrogate, which UTF-8 cannot hold (the texts then
 * stay exactly the strings they were).
 */
export type TextEncoding = 'ascii' | 'utf8' | 'utf16le';

/**
 * Rows of one table in a compact, transferable form: all text values encoded into one byte array
 * with their lengths beside it, all numbers in one Float64Array. Passing this between threads costs
 * a few copies instead of a structured clone of a million small objects. The texts are bytes, not
 * one joined string: joining a chunk's texts cost a fifth of an app-log parser thread, and a string
 * is copied twice more on its way to another thread and once more into bytes there.
 */
export interface EncodedRows {
  /** Index of the table in the profile's `tables`. */
  table: number;
  /** Number of rows. */
  count: number;
  /** Text values of every row, in row-major column order, concatenated and encoded as `textEncoding` says. */
  texts: Uint8Array;
  /** How `texts` is encoded. */
  textEncoding: TextEncoding;
  /** Length of each text value in characters (UTF-16 code units, as `String.length` counts); -1 is NULL. */
  textLengths: Int32Array;
  /** With `textEncoding` `utf8` only: the length of each text value in bytes; -1 is NULL. */
  textByteLengths?: Int32Array;
  /** Number values of every row in row-major column order; NaN is NULL (JSON has no NaN). */
  numbers: Float64Array;
  /** Bytes of every blob value, concatenated (empty when the table has no blob column). */
  blobs: Uint8Array;
  /** Length of each blob value in `blobs`; -1 is NULL. */
  blobLengths: Int32Array;
  /**
   * The number (line or element, 1-based) within its unit of the record each row was made from, when
   * the rows came from a unit: a sink that names rows by their origin (NATS `Nats-Msg-Id`) reads it.
   */
  records?: Float64Array;
  /**
   * Rows the profile folded from these rows as they were made (`Profile.sqliteBatchSummary`): one per
   * group, in the order each group first came, with the columns of `sqliteBatchSummary.table` (their
   * own `table` is that of the rows they came from); absent when the profile has none or could not
   * fold one of the rows.
   */
  summary?: EncodedRows;
}

/** The buffers of `rows` that can be transferred (not copied) to another thread. */
export function transferablesOf(rows: EncodedRows): ArrayBuffer[] {
  const out = [rows.texts.buffer, rows.textLengths.buffer, rows.numbers.buffer];
  if (rows.textByteLengths) out.push(rows.textByteLengths.buffer);
  if (rows.records) out.push(rows.records.buffer);
  if (rows.blobs.byteLength > 0) out.push(rows.blobs.buffer, rows.blobLengths.buffer);
  if (rows.summary) out.push(...transferablesOf(rows.summary));
  return out as ArrayBuffer[];
}

/** All the text values of `rows` as one string, in which `textLengths` count each (one decoding). */
export function textsOf(rows: EncodedRows): string {
  const { texts } = rows;
  const bytes = Buffer.from(texts.buffer, texts.byteOffset, texts.byteLength);
  return bytes.toString(rows.textEncoding === 'ascii' ? 'latin1' : rows.textEncoding);
}

/** A growing typed array of numbers (plain arrays then `TypedArray.from` cost an eighth of a parser thread). */
class NumberColumn<T extends Float64Array | Int32Array> {
  length = 0;

  constructor(
    private values: T,
    private readonly make: (n: number) => T,
  ) {}

  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = this.make(Math.max(1024, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }

  /** The value at `i` (< `length`). */
  at(i: number): number {
    return this.values[i] as number;
  }

  /** The values so far in an array of their own, exactly filled (it is transferred); starts empty again. */
  take(): T {
    const out = this.values.slice(0, this.length) as T;
    this.length = 0;
    return out;
  }
}

const float64s = (n: number): Float64Array => new Float64Array(n);
const int32s = (n: number): Int32Array => new Int32Array(n);

/** Bytes of texts a builder starts with (it grows as needed, and starts the next chunk at the last one's size). */
const TEXT_BYTES = 64 * 1024;

/** `String.prototype.isWellFormed` (ES2024, in Node 20): no lone surrogate. */
interface WellFormed {
  isWellFormed(): boolean;
}

/** Builds `EncodedRows` for one table, one row at a time. */
export class RowChunkBuilder {
  /** The texts so far, encoded as `encoding` says, in `bytes[0, textEnd)`; `writer` is a Buffer over the same memory. */
  private bytes = new Uint8Array(TEXT_BYTES);
  private writer = Buffer.from(this.bytes.buffer);
  private textEnd = 0;
  private encoding: TextEncoding = 'ascii';
  private readonly textLengths = new NumberColumn(int32s(0), int32s);
  /** Byte lengths, kept from the first text that is not ASCII on (`utf8`). */
  private readonly textByteLengths = new NumberColumn(int32s(0), int32s);
  /** The texts of the row being added (null: NULL), in column order. */
  private readonly rowTexts: (string | null)[] = [];
  private readonly numbers = new NumberColumn(float64s(0), float64s);
  /** Blob bytes of the rows so far, copied in as rows are added (one allocation per chunk, not per value). */
  private blobs = new Uint8Array(0);
  private readonly blobLengths = new NumberColumn(int32s(0), int32s);
  private blobBytes = 0;
  private readonly records = new NumberColumn(float64s(0), float64s);
  private rows = 0;
  private readonly kinds: ColumnKind[];

  constructor(
    private readonly tableIndex: number,
    table: TableSpec,
  ) {
    this.kinds = table.columns.map((c) => c.kind);
  }

  get count(): number {
    return this.rows;
  }

  /** Adds a row; `values` are in the table's column order; `record` is the number of the record it came from. */
  add(values: readonly RowValue[], record?: number): void {
    if (record !== undefined) this.records.push(record);
    const kinds = this.kinds;
    const rowTexts = this.rowTexts;
    rowTexts.length = 0;
    // The row's texts in one string, encoded with one call (a call per text costs twice as much).
    let line = '';
    for (let i = 0; i < kinds.length; i++) {
      const v = values[i] ?? null;
      const kind = kinds[i];
      if (kind === 'text') {
        if (v === null) {
          rowTexts.push(null);
        } else {
          const s = typeof v === 'string' ? v : String(v);
          rowTexts.push(s);
          line += s;
        }
      } else if (kind === 'number') {
        this.numbers.push(typeof v === 'number' ? v : Number.NaN);
      } else if (v instanceof Uint8Array) {
        this.appendBlob(v);
      } else {
        this.blobLengths.push(-1);
      }
    }
    if (rowTexts.length > 0) this.addTexts(line, rowTexts);
    this.rows += 1;
  }

  /** Encodes a row's texts (`line`: all of them joined) and notes their lengths. */
  private addTexts(line: string, texts: readonly (string | null)[]): void {
    const lengths = this.textLengths;
    for (let i = 0; i < texts.length; i++) {
      const s = texts[i];
      lengths.push(s === null ? -1 : (s as string).length);
    }
    if (this.encoding === 'utf16le') {
      this.encode(line, 'utf16le');
      return;
    }
    const start = this.textEnd;
    // As many bytes as characters: all ASCII (any other character takes two bytes or more).
    if (this.encode(line, 'utf8') === line.length) {
      if (this.encoding === 'utf8') for (const s of texts) this.textByteLengths.push(s === null ? -1 : s.length);
      return;
    }
    if (!(line as unknown as WellFormed).isWellFormed()) {
      this.textEnd = start;
      this.toUtf16();
      this.encode(line, 'utf16le');
      return;
    }
    if (this.encoding === 'ascii') {
      // The texts before were ASCII: their byte lengths are their lengths.
      this.encoding = 'utf8';
      for (let i = 0; i < lengths.length - texts.length; i++) this.textByteLengths.push(lengths.at(i));
    }
    for (const s of texts) this.textByteLengths.push(s === null ? -1 : Buffer.byteLength(s, 'utf8'));
  }

  /** Appends `s` to the texts; returns how many bytes it took. */
  private encode(s: string, encoding: 'utf8' | 'utf16le'): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (4 per surrogate pair).
    this.room(s.length * (encoding === 'utf8' ? 3 : 2));
    const n = this.writer.write(s, this.textEnd, encoding);
    this.textEnd += n;
    return n;
  }

  /** The texts so far in UTF-16LE from now on (a lone surrogate came: UTF-8 would replace it). */
  private toUtf16(): void {
    const before = this.writer.toString('utf8', 0, this.textEnd);
    this.textEnd = 0;
    this.textByteLengths.length = 0;
    this.encoding = 'utf16le';
    this.encode(before, 'utf16le');
  }

  private room(more: number): void {
    if (this.textEnd + more <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.textEnd + more));
    grown.set(this.bytes.subarray(0, this.textEnd));
    this.bytes = grown;
    this.writer = Buffer.from(grown.buffer);
  }

  /** Copies a blob value in (so the caller may reuse its buffer at once). */
  private appendBlob(v: Uint8Array): void {
    const end = this.blobBytes + v.byteLength;
    if (end > this.blobs.byteLength) {
      const grown = new Uint8Array(Math.max(end, this.blobs.byteLength * 2, 64 * 1024));
      grown.set(this.blobs.subarray(0, this.blobBytes));
      this.blobs = grown;
    }
    this.blobs.set(v, this.blobBytes);
    this.blobBytes = end;
    this.blobLengths.push(v.byteLength);
  }

  /** Hands out the rows built so far and starts empty again. */
  take(): EncodedRows {
    // Only when every row said where it came from: a partial list would name rows wrongly.
    const records = this.records.length === this.rows && this.rows > 0 ? this.records.take() : undefined;
    this.records.length = 0;
    const out: EncodedRows = {
      table: this.tableIndex,
      count: this.rows,
      texts: this.takeTexts(),
      textEncoding: this.encoding,
      textLengths: this.textLengths.take(),
      numbers: this.numbers.take(),
      // Its own buffer, exactly filled: it is transferred to the writer's thread.
      blobs: this.blobBytes > 0 ? this.blobs.slice(0, this.blobBytes) : new Uint8Array(0),
      blobLengths: this.blobLengths.take(),
    };
    if (this.encoding === 'utf8') out.textByteLengths = this.textByteLengths.take();
    if (records) out.records = records;
    this.textByteLengths.length = 0;
    this.encoding = 'ascii';
    this.blobBytes = 0;
    this.rows = 0;
    return out;
  }

  /**
   * The texts' bytes in a buffer of their own (it is transferred). The builder's buffer itself is
   * handed out when it is at least half full (no copy), and the next chunk gets a new one of about
   * this chunk's size; a buffer mostly empty is copied out exactly instead.
   */
  private takeTexts(): Uint8Array {
    const used = this.textEnd;
    this.textEnd = 0;
    if (used * 2 < this.bytes.length) return this.bytes.slice(0, used);
    const out = this.bytes.subarray(0, used);
    this.bytes = new Uint8Array(Math.max(TEXT_BYTES, used + (used >> 2)));
    this.writer = Buffer.from(this.bytes.buffer);
    return out;
  }
}

/**
 * Reads `EncodedRows` back into flat parameter arrays, `rowsPerCall` rows at a time, ready to bind to
 * a multi-row `INSERT ... VALUES (...), (...)`.
 */
export class RowChunkReader {
  private row = 0;
  private textPos = 0;
  private textIndex = 0;
  private numIndex = 0;
  private blobPos = 0;
  private blobIndex = 0;
  private readonly kinds: ColumnKind[];
  /** Text values per row. */
  private readonly textsPerRow: number;
  /** The encoded texts, and where the next row's begin. */
  private readonly textBytes: Buffer;
  private textByte = 0;
  private readonly encoding: BufferEncoding;

  constructor(
    private readonly rows: EncodedRows,
    table: TableSpec,
  ) {
    this.kinds = table.columns.map((c) => c.kind);
    this.textsPerRow = this.kinds.filter((k) => k === 'text').length;
    const { texts } = rows;
    this.textBytes = Buffer.from(texts.buffer, texts.byteOffset, texts.byteLength);
    this.encoding = rows.textEncoding === 'ascii' ? 'latin1' : rows.textEncoding;
  }

  get remaining(): number {
    return this.rows.count - this.row;
  }

  /** Fills `out` with the values of the next `n` rows, row-major; returns `out`. */
  next(n: number, out: RowValue[]): RowValue[] {
    const { textLengths, numbers, blobs, blobLengths } = this.rows;
    const texts = this.decodeTexts(n);
    const kinds = this.kinds;
    let k = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < kinds.length; c++) {
        const kind = kinds[c];
        if (kind === 'text') {
          const len = textLengths[this.textIndex++] as number;
          if (len < 0) {
            out[k++] = null;
          } else {
            out[k++] = texts.substring(this.textPos, this.textPos + len);
            this.textPos += len;
          }
        } else if (kind === 'number') {
          const v = numbers[this.numIndex++] as number;
          out[k++] = Number.isNaN(v) ? null : v;
        } else {
          const len = blobLengths[this.blobIndex++] as number;
          if (len < 0) {
            out[k++] = null;
          } else {
            out[k++] = blobs.subarray(this.blobPos, this.blobPos + len);
            this.blobPos += len;
          }
        }
      }
    }
    this.row += n;
    out.length = k;
    return out;
  }

  /**
   * The texts of the next `n` rows as one string (`textPos` restarts in it). A few rows at a time, not
   * the whole chunk at once: a chunk's string is a large object, which V8 allocates in pages of its own
   * (fresh memory, a page fault each 4 KiB) and keeps until the next scavenge; the writer's peak RSS
   * held a dozen MB of them.
   */
  private decodeTexts(n: number): string {
    const { textLengths, textByteLengths } = this.rows;
    const first = this.textIndex;
    const end = Math.min(textLengths.length, first + n * this.textsPerRow);
    let bytes = 0;
    const lengths = this.rows.textEncoding === 'utf8' && textByteLengths ? textByteLengths : textLengths;
    for (let i = first; i < end; i++) {
      const len = lengths[i] as number;
      if (len > 0) bytes += len;
    }
    if (this.rows.textEncoding === 'utf16le') bytes *= 2;
    const texts = this.textBytes.toString(this.encoding, this.textByte, this.textByte + bytes);
    this.textByte += bytes;
    this.textPos = 0;
    return texts;
  }
}
