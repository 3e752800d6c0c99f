import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { CommitResult, RowsOrigin, Sink, UnitCursor } from '../../core/sink.js';
import { isTransientNatsError } from '../../sinks/nats/connection.js';

/**
 * The sink of `sluice consume`, wrapped so that the messages of a batch are acknowledged to
 * JetStream only once the batch is committed (`afterCommit`). A lost NATS connection counts as
 * transient too: the job waits, opens again and starts a new consumer from the committed cursor.
 */
export class AckAfterCommit implements Sink {
  readonly description: string;
  flush?: Sink['flush'];

  constructor(
    private readonly inner: Sink,
    private readonly afterCommit: () => void,
  ) {
    this.description = inner.description;
    if (inner.flush) this.flush = () => inner.flush?.() ?? Promise.resolve([]);
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  readCursor(key: string): Promise<UnitCursor | undefined> {
    return this.inner.readCursor(key);
  }

  write(rows: EncodedRows, origin?: RowsOrigin): void | Promise<void> {
    return this.inner.write(rows, origin);
  }

  async commit(cursors: readonly UnitCursor[]): Promise<CommitResult> {
    const result = await this.inner.commit(cursors);
    this.afterCommit();
    return result;
  }

  rollback(): void | Promise<void> {
    return this.inner.rollback();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  isTransient(err: unknown): boolean {
    return this.inner.isTransient?.(err) === true || isTransientNatsError(err);
  }

  outcomes(): Record<string, number> {
    return this.inner.outcomes?.() ?? {};
  }
}
