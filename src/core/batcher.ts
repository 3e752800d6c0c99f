/**
 * Decides when the open batch is committed: when it holds `maxRows` rows or is `maxAgeMs` old,
 * whichever comes first (ARCHITECTURE.md: batches by count and by age).
 */
export class Batcher {
  private rowCount = 0;
  private openedAt: number | undefined;

  constructor(
    readonly maxRows: number,
    readonly maxAgeMs: number,
  ) {}

  /** Counts rows (or just progress, with 0) into the open batch, opening it if needed. */
  add(rows: number, now = Date.now()): void {
    this.openedAt ??= now;
    this.rowCount += rows;
  }

  /** True when something is waiting to be committed. */
  get pending(): boolean {
    return this.openedAt !== undefined;
  }

  /** True when the batch is full or old enough. */
  due(now = Date.now()): boolean {
    return this.openedAt !== undefined && (this.rowCount >= this.maxRows || now - this.openedAt >= this.maxAgeMs);
  }

  /** Starts over after a commit. */
  reset(): void {
    this.rowCount = 0;
    this.openedAt = undefined;
  }
}
