/**
 * The body of a message that holds several rows of one table (`?recordsPerMessage=N` above 1):
 * `{"table": NAME, "columns": [stored column names], "rows": [[value, ...], ...]}`, each row's values
 * in the order of `columns`, blobs as base64, NULL as `null`. The column names travel with the rows,
 * so a consumer whose table has more or fewer columns maps them by name. A message of one row in the
 * first form (`{"table": NAME, column: value, ...}`, what `?recordsPerMessage=1` publishes) is still
 * read: no stored value is an array, so the two forms cannot be mistaken for each other.
 */
export interface RowBatchBody {
  table: string;
  columns: string[];
  rows: unknown[];
}

/** Whether a parsed message body is a batch of rows (else it is one row as an object). */
export function isRowBatch(body: Record<string, unknown>): body is Record<string, unknown> & RowBatchBody {
  return Array.isArray(body.rows) && Array.isArray(body.columns);
}
