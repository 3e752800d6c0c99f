/** Longest wait Sluice accepts from a Retry-After header or its own back-off, in ms. */
export const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * How long to wait after a 429: the server's `Retry-After` (seconds or an HTTP date) when given,
 * else exponential back-off from `baseMs` (1 s, 2 s, 4 s, ...), capped at MAX_BACKOFF_MS.
 */
export function backoffMs(retryAfter: string | null, attempt: number, baseMs = 1000, nowMs = Date.now()): number {
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const v = retryAfter.trim();
    if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_BACKOFF_MS, Math.round(Number(v) * 1000));
    const at = Date.parse(v);
    if (Number.isFinite(at)) return Math.min(MAX_BACKOFF_MS, Math.max(0, at - nowMs));
  }
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
}
