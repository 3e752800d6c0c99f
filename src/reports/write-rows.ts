import type { RowFormatter } from './formats/row-formatter.js';
import type { ReportValue } from './report.js';
import type { ReportOutput } from './report-output.js';
import type { RowSource } from './report-reader.js';

/** Text is handed to the output in chunks of about this many characters: few syscalls, little memory. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Streams rows through a formatter to an output and returns how many were written. Memory holds one
 * chunk, whatever the number of rows; a reader that goes away (`| head`) stops the loop, which also
 * finalizes the SQLite statement or closes the PostgreSQL cursor behind `rows`. Synchronous rows
 * (SQLite) are stepped without an await per row.
 */
export async function writeRows(
  rows: RowSource<readonly ReportValue[]>,
  formatter: RowFormatter,
  output: ReportOutput,
): Promise<number> {
  let chunk = formatter.start();
  let count = 0;
  /** Hands a full chunk over; true when the reader went away. */
  const flush = async (): Promise<boolean> => {
    await output.write(chunk);
    chunk = '';
    return output.gone;
  };
  if (Symbol.asyncIterator in rows) {
    for await (const row of rows) {
      chunk += formatter.row(row);
      count += 1;
      if (chunk.length >= CHUNK_CHARS && (await flush())) return count;
    }
  } else {
    for (const row of rows) {
      chunk += formatter.row(row);
      count += 1;
      if (chunk.length >= CHUNK_CHARS && (await flush())) return count;
    }
  }
  await output.write(chunk + formatter.end(count));
  return count;
}
