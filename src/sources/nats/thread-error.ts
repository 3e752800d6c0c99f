import { SluiceError, type SluiceErrorCode } from '../../core/errors.js';

/** An error as it crosses from a thread: the names and messages of it and its causes, and its code. */
export interface ThreadError {
  code?: SluiceErrorCode | undefined;
  /** The error, then its causes (five at most). */
  chain: Array<{ name: string; message: string }>;
  /** Where it was thrown, in the thread. */
  stack?: string | undefined;
}

/** `err` as a message can carry it (a structured clone keeps neither the client's error names nor our codes). */
export function toThreadError(err: unknown): ThreadError {
  const chain: ThreadError['chain'] = [];
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== undefined; depth++, e = e instanceof Error ? e.cause : undefined) {
    chain.push(e instanceof Error ? { name: e.name || e.constructor.name, message: e.message } : { name: 'Error', message: String(e) });
  }
  return { code: err instanceof SluiceError ? err.code : undefined, chain, stack: err instanceof Error ? err.stack : undefined };
}

/**
 * The error again, on this side: a `SluiceError` with its code, or an `Error` of the same name; its
 * causes likewise. Whether it is transient (`isTransientNatsError`) reads the same as in the thread.
 */
export function fromThreadError(t: ThreadError): Error {
  let cause: Error | undefined;
  for (let i = t.chain.length - 1; i >= 0; i--) {
    const { name, message } = t.chain[i] as { name: string; message: string };
    const options = cause === undefined ? undefined : { cause };
    let e: Error;
    if (i === 0 && t.code !== undefined) e = new SluiceError(t.code, message, options);
    else {
      e = new Error(message, options);
      e.name = name;
    }
    cause = e;
  }
  const err = cause ?? new Error('unknown error');
  if (t.stack !== undefined) err.stack = t.stack;
  return err;
}
