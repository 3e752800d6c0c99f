import type { EncodedRows } from '../core/rows/row-chunk.js';
import type { CommitResult, Sink, UnitCursor } from './sink.js';

/** `--dry-run`: decodes, maps and counts, writes nothing and remembers no cursor. */
export class DryRunSink implements Sink {
  readonly description = 'dry-run (nothing is written)';
  private batchRows = 0;

  async open(): Promise<void> {}

  async readCursor(): Promise<UnitCursor | undefined> {
    return undefined;
  }

  write(rows: EncodedRows): void {
    this.batchRows += rows.count;
  }

  async commit(_cursors: readonly UnitCursor[]): Promise<CommitResult> {
    const result = { written: this.batchRows, duplicates: 0 };
    this.batchRows = 0;
    return result;
  }

  rollback(): void {
    this.batchRows = 0;
  }

  async close(): Promise<void> {}
}
