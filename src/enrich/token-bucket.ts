/**
 * A token bucket: `ratePerMin` tokens a minute, at most `capacity` saved up (1 by default, so requests
 * are evenly spaced, never bursty). `take()` resolves when a token is available and spends it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    ratePerMin: number,
    private readonly capacity = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.perMs = ratePerMin / 60_000;
    this.tokens = capacity;
    this.last = this.now();
  }

  /** Milliseconds until a token is available (0 when one is). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  async take(): Promise<void> {
    for (let wait = this.waitMs(); wait > 0; wait = this.waitMs()) {
      await sleep(wait);
    }
    this.tokens -= 1;
  }

  /**
   * After an answer (429 or not): spend what was saved, so the next request waits a full interval
   * from now. Counted from the answer, not the send, the server never sees two requests closer than
   * the interval, whatever the network delays.
   */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.last) * this.perMs);
    this.last = t;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
