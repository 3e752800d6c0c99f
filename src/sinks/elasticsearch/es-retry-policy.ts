/** Backoff of retried items and requests: exponential from `minMs`, capped, with jitter. */
export interface RetryPolicy {
  minMs: number;
  maxMs: number;
  /** Give up (fail the run) when one request has been retried for this long. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { minMs: 1000, maxMs: 60_000, budgetMs: 15 * 60_000 };

/**
 * The retry policy, with `SLUICE_ES_RETRY_MIN_MS` (first delay) and `SLUICE_ES_RETRY_BUDGET_SEC`
 * (give up after) read from the environment when set: tuning knobs for tests and impatient operators.
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const min = Number(env.SLUICE_ES_RETRY_MIN_MS);
  const budget = Number(env.SLUICE_ES_RETRY_BUDGET_SEC);
  return {
    minMs: Number.isFinite(min) && min >= 0 && env.SLUICE_ES_RETRY_MIN_MS !== '' && env.SLUICE_ES_RETRY_MIN_MS !== undefined ? min : DEFAULT_RETRY.minMs,
    maxMs: DEFAULT_RETRY.maxMs,
    budgetMs: Number.isFinite(budget) && budget > 0 ? budget * 1000 : DEFAULT_RETRY.budgetMs,
  };
}

/** Delay before retry `attempt` (1-based): min × 2^(attempt−1), at most max, times 0.5–1 (jitter). */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const base = Math.min(policy.maxMs, policy.minMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + Math.random() * 0.5));
}

/** Item or response statuses worth retrying: overload (429) and server-side failures (5xx). */
export function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
