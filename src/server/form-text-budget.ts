import type { IncomingMessage } from 'node:http';

/** Room for part headers and boundaries, and for a chunk that straddles the video part's ends. */
const SLACK_BYTES = 256 * 1024;

/**
 * Counts the request bytes that arrive outside the video part (text fields, part headers) and fails
 * as soon as they pass the metadata limit plus some slack. The multipart parser hands over a text
 * field only when it has read all of it, so without this a 50 MB `metadata` field is read whole
 * before its 413; with it the 413 goes out when the limit is passed and the rest is never read.
 */
export class FormTextBudget {
  /** Rejects with `tooLarge()` once the budget is spent; never resolves. */
  readonly exceeded: Promise<never>;
  private outside = 0;
  private inVideo = false;
  private raw: IncomingMessage | undefined;
  private fail: (err: Error) => void = () => {};
  private readonly onData = (chunk: Buffer): void => {
    if (this.inVideo) return;
    this.outside += chunk.length;
    if (this.outside > this.maxBytes + SLACK_BYTES) {
      this.stop();
      this.fail(this.tooLarge());
    }
  };

  constructor(
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error,
  ) {
    this.exceeded = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.exceeded.catch(() => {}); // only awaited in a race; never an unhandled rejection
  }

  /**
   * Starts counting. Call it only once the multipart parser reads the request (after the parts
   * iterator's first `next()`): a `data` listener on a stream nobody reads would start it flowing
   * and its bytes would be lost.
   */
  watch(raw: IncomingMessage): void {
    if (this.raw) return;
    this.raw = raw;
    raw.on('data', this.onData);
  }

  /** Runs `work` (the video part's streaming) with the count paused. */
  async whileVideo<T>(work: () => Promise<T>): Promise<T> {
    this.inVideo = true;
    try {
      return await work();
    } finally {
      this.inVideo = false;
    }
  }

  /** Stops counting. */
  stop(): void {
    this.raw?.off('data', this.onData);
  }
}
