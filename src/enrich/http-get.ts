import { backoffMs } from './retry-after.js';
import { sleep, type TokenBucket } from './token-bucket.js';

/** One HTTP answer, body parsed as JSON when it is JSON. */
export interface HttpAnswer {
  status: number;
  json: unknown;
}

export interface GetOptions {
  headers: Record<string, string>;
  bucket: TokenBucket;
  /** 429s tolerated before the key counts as an error for this run. */
  maxRetries: number;
  timeoutMs: number;
  /** Called for each back-off (for the summary). */
  onBackoff: (ms: number) => void;
}

/**
 * GET `url` through the service's token bucket (its interval counted from the previous answer). A 429 waits (Retry-After, else exponential) and
 * retries; any other answer is returned as is. Network failures throw.
 */
export async function rateLimitedGet(url: string, options: GetOptions): Promise<HttpAnswer> {
  for (let attempt = 0; ; attempt++) {
    await options.bucket.take();
    const res = await fetch(url, { headers: options.headers, signal: AbortSignal.timeout(options.timeoutMs) });
    const text = await res.text();
    options.bucket.drain();
    if (res.status === 429 && attempt < options.maxRetries) {
      const wait = backoffMs(res.headers.get('retry-after'), attempt);
      options.onBackoff(wait);
      await sleep(wait);
      continue;
    }
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json };
  }
}
