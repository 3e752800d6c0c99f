import { errors } from '@elastic/elasticsearch';
import { retryableStatus } from './es-retry-policy.js';

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
