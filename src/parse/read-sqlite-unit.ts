import { SluiceError } from '../core/errors.js';
import type { ChunkAssembler } from './chunk-assembler.js';
import type { ParseMessage } from '../core/parse-message.js';
import type { SqliteRowsSpec } from '../core/parse-message.js';
import type { RowsOpener, RowsReader } from '../decoders/decoder-descriptor.js';

/** Rows per chunk handed to the writer (a chunk is also cut at this many bytes of row text). */
const ROWS_PER_CHUNK = 200;
const BYTES_PER_CHUNK = 8 * 1024 * 1024;

/**
 * The rows of a database unit (`open`: the rows decoder its content called for) through the
 * profile's map, as chunk messages, after the row id `afterRowId` (a cursor). The row id is the
 * position: `offset` and `line` of the cursor are the last row id read. Ends with `unit-end`, or
 * `unit-error` when the database cannot be read.
 */
export function* readSqliteUnit(
  unit: number,
  path: string,
  display: string,
  spec: SqliteRowsSpec,
  assembler: ChunkAssembler,
  rawBytes: number,
  open: RowsOpener,
  afterRowId = 0,
): Generator<ParseMessage> {
  let reader: RowsReader | undefined;
  let last = afterRowId;
  try {
    reader = open(path, display, spec);
    let rows = 0;
    let bytes = 0;
    for (const { rowId, value } of reader.rows(afterRowId)) {
      last = rowId;
      assembler.record(value, { line: rowId, startOffset: rowId, endOffset: rowId }, () => JSON.stringify(value));
      rows += 1;
      for (const c of spec.columns) {
        const v = value[c];
        if (typeof v === 'string') bytes += v.length;
      }
      if (rows >= ROWS_PER_CHUNK || bytes >= BYTES_PER_CHUNK) {
        yield assembler.take(unit, last, last, 0);
        rows = 0;
        bytes = 0;
      }
    }
  } catch (err) {
    // No fault of the unit: the run stops with what to do.
    if (err instanceof SluiceError && err.code === 'SLUICE_E_NATIVE_MODULE') throw err;
    if (!assembler.empty) yield assembler.take(unit, last, last, 0);
    yield { kind: 'unit-error', unit, message: (err as Error).message, because: err instanceof SluiceError ? err.because : undefined };
    return;
  } finally {
    reader?.close();
  }
  if (!assembler.empty) yield assembler.take(unit, last, last, rawBytes);
  yield { kind: 'unit-end', unit, endOffset: last, endLine: last, rawBytes };
}
