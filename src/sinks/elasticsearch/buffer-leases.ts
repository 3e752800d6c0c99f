import { freeArrayBuffer } from '../../core/rows/free-array-buffer.js';

/**
 * Counts who still needs each row-chunk buffer that documents point into (the writer, while it
 * plans a batch; each queued bulk operation, until its bytes are copied into a request body) and
 * frees the buffer when the last one lets go.
 */
export class BufferLeases {
  private readonly holders = new Map<ArrayBufferLike, number>();

  hold(buffer: ArrayBufferLike): void {
    this.holders.set(buffer, (this.holders.get(buffer) ?? 0) + 1);
  }

  drop(buffer: ArrayBufferLike): void {
    const left = (this.holders.get(buffer) ?? 0) - 1;
    if (left > 0) {
      this.holders.set(buffer, left);
      return;
    }
    this.holders.delete(buffer);
    freeArrayBuffer(buffer);
  }

  /** Buffers still held (tests). */
  get size(): number {
    return this.holders.size;
  }
}
