import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { Profile } from '../../profiles/profile.js';
import type { CommitResult, Sink, UnitCursor } from '../../core/sink.js';

/**
 * `--dry-run`: decodes, maps and counts, writes nothing and remembers no cursor. Its outcomes say
 * how many rows each table (each Elasticsearch index) would have been sent.
 */
export class DryRunSink implements Sink {
  readonly description = 'dry-run (nothing is written)';
  readonly storesNothing = true;
  private batchRows = 0;
  private readonly perTable: number[];

  constructor(private readonly profile?: Profile) {
    this.perTable = (profile?.tables ?? []).map(() => 0);
  }

  async open(): Promise<void> {}

  async readCursor(): Promise<UnitCursor | undefined> {
    return undefined;
  }

  write(rows: EncodedRows): void {
    this.batchRows += rows.count;
    this.perTable[rows.table] = (this.perTable[rows.table] ?? 0) + rows.count;
  }

  async commit(_cursors: readonly UnitCursor[]): Promise<CommitResult> {
    const result = { written: this.batchRows, duplicates: 0 };
    this.batchRows = 0;
    return result;
  }

  rollback(): void {
    this.batchRows = 0;
  }

  /** Rows per table that would have been written. */
  outcomes(): Record<string, number> {
    return Object.fromEntries((this.profile?.tables ?? []).map((t, i) => [t.name, this.perTable[i] ?? 0]));
  }

  async close(): Promise<void> {}
}
