import type { ColumnSpec, RowValue } from '../../core/rows/table-spec.js';
import type { Profile } from '../../profiles/profile.js';

/** A message body turned into a row of one of the profile's tables, or why it could not be. */
export type MessageRow = { table: number; values: RowValue[] } | { bad: string };

/**
 * The row a NATS sink published (`{"table": NAME, column: value, ...}`) as values of that table of
 * `profile`, in column order: no re-mapping, the columns as they were stored. A blob column's base64
 * text becomes bytes; a column the message lacks (a transient one) is NULL.
 */
export function messageRow(profile: Profile, tableIndex: ReadonlyMap<string, number>, data: Uint8Array): MessageRow {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (err) {
    return { bad: `invalid_json: ${(err as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { bad: 'not_an_object: a message is one row as a JSON object' };
  const o = body as Record<string, unknown>;
  const table = typeof o.table === 'string' ? tableIndex.get(o.table) : undefined;
  const spec = table === undefined ? undefined : profile.tables[table];
  if (table === undefined || !spec) return { bad: `wrong_table: ${String(o.table)} is not a table of profile ${profile.name}` };
  return { table, values: spec.columns.map((c) => valueOf(c, o[c.name])) };
}

function valueOf(column: ColumnSpec, v: unknown): RowValue {
  if (v === null || v === undefined) return null;
  if (column.kind === 'number') return typeof v === 'number' ? v : null;
  if (column.kind === 'blob') return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
