import { SluiceError, type SluiceErrorCause, type SluiceErrorCode } from '../../core/errors.js';

/** An error as it crosses from a thread: the names and messages of it and its causes, and its code. */
export interface ThreadError {
  code?: SluiceErrorCode | undefined;
  /** The known cause of a `SluiceError`, so its hint on this side is the one the thread meant. */
  because?: SluiceErrorCause | undefined;
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
  const sluice = err instanceof SluiceError ? err : undefined;
  return { code: sluice?.code, because: sluice?.because, chain, stack: err instanceof Error ? err.stack : undefined };
}

/**
 * The error again, on this side: a `SluiceError` with its code, or an `Error` of the same name; its
 * causes likewise. Whether it is transient (`isTransientNatsError`) reads the same as in the thread.
 */
export function fromThreadError(t: ThreadError): Error {
  let cause: Error | undefined;
  for (let i = t.chain.length - 1; i >= 0; i--) {
    const { name, message } = t.chain[i] as { name: string; message: string };
    let e: Error;
    if (i === 0 && t.code !== undefined) {
      e = new SluiceError(t.code, message, {
        ...(cause === undefined ? {} : { cause }),
        ...(t.because === undefined ? {} : { because: t.because }),
      });
    } else {
      e = new Error(message, cause === undefined ? undefined : { cause });
      e.name = name;
    }
    cause = e;
  }
  const err = cause ?? new Error('unknown error');
  if (t.stack !== undefined) err.stack = t.stack;
  return err;
}
