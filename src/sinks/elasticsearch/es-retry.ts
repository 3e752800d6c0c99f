import { errors } from '@elastic/elasticsearch';

/** Backoff of retried items and requests: exponential from `minMs`, capped, with jitter. */
export interface RetryPolicy {
  minMs: number;
  maxMs: number;
  /** Give up (fail the run) when one request has been retried for this long. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { minMs: 1000, maxMs: 60_000, budgetMs: 15 * 60_000 };

/** Delay before retry `attempt` (1-based): min × 2^(attempt−1), at most max, times 0.5–1 (jitter). */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + Math.random() * 0.5));
}

/** Item or response statuses worth retrying: overload (429) and server-side failures (5xx). */
export function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** A failed request worth retrying: no answer (refused, reset, timeout) or a 429/5xx answer. */
export function retryableError(err: unknown): boolean {
  if (err instanceof errors.ResponseError) return retryableStatus(err.statusCode ?? 0);
  return err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError;
}

/** One line on why a request failed, without secrets. */
export function describeEsError(err: unknown): string {
  if (err instanceof errors.ResponseError) {
    const body = err.body as { error?: { type?: string; reason?: string } } | undefined;
    const what = body?.error ? `${body.error.type ?? 'error'}: ${body.error.reason ?? ''}` : err.message;
    return `HTTP ${err.statusCode ?? '?'} ${what}`;
  }
  return (err as Error).message;
}
