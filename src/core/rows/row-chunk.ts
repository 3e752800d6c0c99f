import type { ColumnKind, RowValue, TableSpec } from './table-spec.js';

/**
 * Rows of one table in a compact, transferable form: all text values joined into one string with
 * their lengths beside it, all numbers in one Float64Array. Passing this between threads costs a
 * few copies instead of a structured clone of a million small objects.
 */
export interface EncodedRows {
  /** Index of the table in the profile's `tables`. */
  table: number;
  /** Number of rows. */
  count: number;
  /** Text values of every row, in row-major column order, concatenated. */
  texts: string;
  /** Length of each text value in `texts`; -1 is NULL. */
  textLengths: Int32Array;
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
}

/** The buffers of `rows` that can be transferred (not copied) to another thread. */
export function transferablesOf(rows: EncodedRows): ArrayBuffer[] {
  const out = [rows.textLengths.buffer, rows.numbers.buffer];
  if (rows.records) out.push(rows.records.buffer);
  if (rows.blobs.byteLength > 0) out.push(rows.blobs.buffer, rows.blobLengths.buffer);
  return out as ArrayBuffer[];
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

  /** The values so far in an array of their own, exactly filled (it is transferred); starts empty again. */
  take(): T {
    const out = this.values.slice(0, this.length) as T;
    this.length = 0;
    return out;
  }
}

const float64s = (n: number): Float64Array => new Float64Array(n);
const int32s = (n: number): Int32Array => new Int32Array(n);

/** Builds `EncodedRows` for one table, one row at a time. */
export class RowChunkBuilder {
  private texts: string[] = [];
  private readonly textLengths = new NumberColumn(int32s(0), int32s);
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
    for (let i = 0; i < kinds.length; i++) {
      const v = values[i] ?? null;
      const kind = kinds[i];
      if (kind === 'text') {
        if (v === null) {
          this.textLengths.push(-1);
        } else {
          const s = typeof v === 'string' ? v : String(v);
          this.texts.push(s);
          this.textLengths.push(s.length);
        }
      } else if (kind === 'number') {
        this.numbers.push(typeof v === 'number' ? v : Number.NaN);
      } else if (v instanceof Uint8Array) {
        this.appendBlob(v);
      } else {
        this.blobLengths.push(-1);
      }
    }
    this.rows += 1;
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
      texts: this.texts.join(''),
      textLengths: this.textLengths.take(),
      numbers: this.numbers.take(),
      // Its own buffer, exactly filled: it is transferred to the writer's thread.
      blobs: this.blobBytes > 0 ? this.blobs.slice(0, this.blobBytes) : new Uint8Array(0),
      blobLengths: this.blobLengths.take(),
    };
    if (records) out.records = records;
    this.texts = [];
    this.blobBytes = 0;
    this.rows = 0;
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

  constructor(
    private readonly rows: EncodedRows,
    table: TableSpec,
  ) {
    this.kinds = table.columns.map((c) => c.kind);
  }

  get remaining(): number {
    return this.rows.count - this.row;
  }

  /** Fills `out` with the values of the next `n` rows, row-major; returns `out`. */
  next(n: number, out: RowValue[]): RowValue[] {
    const { texts, textLengths, numbers, blobs, blobLengths } = this.rows;
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
}
