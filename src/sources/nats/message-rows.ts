import type { RowChunkBuilder } from '../../core/rows/row-chunk.js';
import type { ColumnKind, RowValue, TableSpec } from '../../core/rows/table-spec.js';
import type { Profile } from '../../profiles/profile.js';
import { isRowBatch } from '../../sinks/nats/row-batch-format.js';

/** What one message gave: rows added to the builders, and why the rest could not be used. */
export interface MessageOutcome {
  rows: number;
  /** Each part that is not a row (the whole message, or one row of a batch: then its JSON as `raw`). */
  bad: Array<{ reason: string; raw?: string }>;
}

/** How the columns of a batch map onto a table of the profile: for each of its columns, the batch's column index or -1. */
interface ColumnMap {
  table: number;
  from: Int32Array;
  kinds: readonly ColumnKind[];
}

/**
 * Turns the messages a NATS sink published into rows of `profile`'s tables, added straight to the
 * chunk's builders: no re-mapping, the columns as they were stored, matched by name (a column the
 * message lacks, such as a transient one, is NULL; a blob's base64 text becomes bytes). A message is
 * either a batch of rows (`row-batch-format.ts`) or one row as an object. One `JSON.parse` per
 * message; a batch's rows go through one reused array, so a row costs no allocation of its own
 * beyond what the parse made.
 */
export class MessageDecoder {
  private readonly tableIndex: Map<string, number>;
  /** Column maps by table name and column list, made once per kind of message. */
  private readonly maps = new Map<string, ColumnMap | string>();
  private readonly scratch: RowValue[] = [];

  constructor(
    private readonly profile: Profile,
    private readonly builders: readonly RowChunkBuilder[],
  ) {
    this.tableIndex = new Map(profile.tables.map((t, i) => [t.name, i]));
  }

  /** Adds the rows of one message (`seq`: its stream sequence, the rows' record number). */
  add(data: Uint8Array, seq: number): MessageOutcome {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
    } catch (err) {
      return { rows: 0, bad: [{ reason: `invalid_json: ${(err as Error).message}` }] };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { rows: 0, bad: [{ reason: 'not_an_object: a message is a JSON object of rows' }] };
    const o = body as Record<string, unknown>;
    return isRowBatch(o) ? this.addBatch(o.table, o.columns, o.rows, seq) : this.addRow(o, seq);
  }

  private addBatch(table: unknown, columns: readonly unknown[], rows: readonly unknown[], seq: number): MessageOutcome {
    const map = this.mapOf(table, columns);
    if (typeof map === 'string') return { rows: 0, bad: [{ reason: map }] };
    const builder = this.builders[map.table];
    const out = this.scratch;
    const { from, kinds } = map;
    out.length = kinds.length;
    const bad: MessageOutcome['bad'] = [];
    let added = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (!Array.isArray(row) || row.length !== columns.length) {
        bad.push({ reason: `not_a_row: row ${r + 1} of the message is not an array of ${columns.length} values`, raw: JSON.stringify(row) ?? 'undefined' });
        continue;
      }
      for (let c = 0; c < kinds.length; c++) {
        const j = from[c] as number;
        out[c] = j < 0 ? null : valueOf(kinds[c] as ColumnKind, row[j]);
      }
      builder?.add(out, seq);
      added += 1;
    }
    return { rows: added, bad };
  }

  private addRow(o: Record<string, unknown>, seq: number): MessageOutcome {
    const table = typeof o.table === 'string' ? this.tableIndex.get(o.table) : undefined;
    const spec = table === undefined ? undefined : this.profile.tables[table];
    if (table === undefined || !spec) return { rows: 0, bad: [{ reason: wrongTable(o.table, this.profile) }] };
    this.builders[table]?.add(
      spec.columns.map((c) => valueOf(c.kind, o[c.name])),
      seq,
    );
    return { rows: 1, bad: [] };
  }

  private mapOf(table: unknown, columns: readonly unknown[]): ColumnMap | string {
    const key = `${String(table)}\u0000${columns.join('\u0000')}`;
    let map = this.maps.get(key);
    if (map === undefined) {
      const index = typeof table === 'string' ? this.tableIndex.get(table) : undefined;
      const spec: TableSpec | undefined = index === undefined ? undefined : this.profile.tables[index];
      if (index === undefined || !spec) map = wrongTable(table, this.profile);
      else {
        const names = columns.map(String);
        map = { table: index, from: Int32Array.from(spec.columns, (c) => names.indexOf(c.name)), kinds: spec.columns.map((c) => c.kind) };
      }
      if (this.maps.size >= 1000) this.maps.clear(); // messages not made by a sink: keep the memo small
      this.maps.set(key, map);
    }
    return map;
  }
}

function wrongTable(table: unknown, profile: Profile): string {
  return `wrong_table: ${String(table)} is not a table of profile ${profile.name}`;
}

function valueOf(kind: ColumnKind, v: unknown): RowValue {
  if (v === null || v === undefined) return null;
  if (kind === 'number') return typeof v === 'number' ? v : null;
  if (kind === 'blob') return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
