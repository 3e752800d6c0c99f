import { describe, expect, it } from 'vitest';
import { backoffMs, MAX_BACKOFF_MS } from '../../src/enrich/retry-after.js';
import { TokenBucket } from '../../src/enrich/token-bucket.js';

describe('TokenBucket', () => {
  it('gives one token at once, then one per interval', () => {
    let now = 0;
    const b = new TokenBucket(60, 1, () => now); // one a second
    expect(b.waitMs()).toBe(0);
    void b.take();
    expect(b.waitMs()).toBe(1000);
    now = 400;
    expect(b.waitMs()).toBe(600);
    now = 5000;
    expect(b.waitMs()).toBe(0); // never more than the capacity saved up
  });

  it('spaces real requests by the rate', async () => {
    const b = new TokenBucket(600); // 100 ms
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      await b.take();
      at.push(performance.now());
    }
    for (let i = 1; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeGreaterThanOrEqual(95);
  });
});

describe('backoffMs', () => {
  it('follows Retry-After in seconds or as a date, else doubles from 1 s, capped', () => {
    expect(backoffMs('3', 0)).toBe(3000);
    expect(backoffMs(new Date(10_000).toUTCString(), 0, 1000, 4000)).toBe(6000);
    expect(backoffMs(null, 0)).toBe(1000);
    expect(backoffMs('', 3)).toBe(8000);
    expect(backoffMs(null, 30)).toBe(MAX_BACKOFF_MS);
  });
});
