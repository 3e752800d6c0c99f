import type { RowValue, TableSpec } from './table-spec.js';

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
}

/** Builds `EncodedRows` for one table, one row at a time. */
export class RowChunkBuilder {
  private texts: string[] = [];
  private textLengths: number[] = [];
  private numbers: number[] = [];
  private rows = 0;
  private readonly textColumn: boolean[];

  constructor(
    private readonly tableIndex: number,
    table: TableSpec,
  ) {
    this.textColumn = table.columns.map((c) => c.kind === 'text');
  }

  get count(): number {
    return this.rows;
  }

  /** Adds a row; `values` are in the table's column order. */
  add(values: readonly RowValue[]): void {
    const kinds = this.textColumn;
    for (let i = 0; i < kinds.length; i++) {
      const v = values[i] ?? null;
      if (kinds[i]) {
        if (v === null) {
          this.textLengths.push(-1);
        } else {
          const s = typeof v === 'string' ? v : String(v);
          this.texts.push(s);
          this.textLengths.push(s.length);
        }
      } else {
        this.numbers.push(typeof v === 'number' ? v : Number.NaN);
      }
    }
    this.rows += 1;
  }

  /** Hands out the rows built so far and starts empty again. */
  take(): EncodedRows {
    const out: EncodedRows = {
      table: this.tableIndex,
      count: this.rows,
      texts: this.texts.join(''),
      textLengths: Int32Array.from(this.textLengths),
      numbers: Float64Array.from(this.numbers),
    };
    this.texts = [];
    this.textLengths = [];
    this.numbers = [];
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
  private readonly textColumn: boolean[];

  constructor(
    private readonly rows: EncodedRows,
    table: TableSpec,
  ) {
    this.textColumn = table.columns.map((c) => c.kind === 'text');
  }

  get remaining(): number {
    return this.rows.count - this.row;
  }

  /** Fills `out` with the values of the next `n` rows, row-major; returns `out`. */
  next(n: number, out: RowValue[]): RowValue[] {
    const { texts, textLengths, numbers } = this.rows;
    const kinds = this.textColumn;
    let k = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < kinds.length; c++) {
        if (kinds[c]) {
          const len = textLengths[this.textIndex++] as number;
          if (len < 0) {
            out[k++] = null;
          } else {
            out[k++] = texts.substring(this.textPos, this.textPos + len);
            this.textPos += len;
          }
        } else {
          const v = numbers[this.numIndex++] as number;
          out[k++] = Number.isNaN(v) ? null : v;
        }
      }
    }
    this.row += n;
    out.length = k;
    return out;
  }
}
