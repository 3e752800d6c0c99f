import { RowChunkReader, type EncodedRows } from '../../core/rows/row-chunk.js';
import { storedColumns, type RowValue, type TableSpec } from '../../core/rows/table-spec.js';

/** One row as the message body, and where in its chunk it sits. */
export interface RowMessage {
  /** `{"table": ..., column: value, ...}` with the table's stored columns; blobs as base64. */
  body: string;
  /** The number of the record the row came from, when the chunk says. */
  record: number | undefined;
  /** Index of the row among the rows its record made for this table (0 for the first). */
  indexInRecord: number;
}

/**
 * The rows of a chunk as JSON messages. Only stored columns go out (transient ones feed
 * Elasticsearch documents); a blob is its base64 text; NULL is `null`.
 */
export function* rowMessages(rows: EncodedRows, table: TableSpec): Generator<RowMessage> {
  const reader = new RowChunkReader(rows, table);
  const keep = new Set(storedColumns(table));
  const columns = table.columns.map((c) => (keep.has(c) ? c.name : undefined));
  const values: RowValue[] = [];
  let previous: number | undefined;
  let indexInRecord = 0;
  for (let i = 0; reader.remaining > 0; i++) {
    reader.next(1, values);
    const o: Record<string, string | number | null> = { table: table.name };
    for (let c = 0; c < columns.length; c++) {
      const name = columns[c];
      if (name === undefined) continue;
      o[name] = jsonValue(values[c]);
    }
    const record = rows.records?.[i];
    indexInRecord = record !== undefined && record === previous ? indexInRecord + 1 : 0;
    previous = record;
    yield { body: JSON.stringify(o), record, indexInRecord };
  }
}

/** A stored value as a message carries it: a blob as its base64 text, NULL as null, the rest as it is. */
export function jsonValue(v: RowValue | undefined): string | number | null {
  if (v === undefined || v === null) return null;
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v;
}
