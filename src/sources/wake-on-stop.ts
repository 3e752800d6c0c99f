import type { ParseMessage } from '../core/parse-message.js';

/**
 * Messages of a stage that may wait on its input for as long as the input likes (standard input left
 * open by a pipe): a stop request yields an `idle` message at once, so the writer commits what it has
 * and sees the stop, instead of waiting for input that may never come. Afterwards it passes the
 * stage's messages on as they come.
 */
export function wakeOnStop(messages: AsyncIterable<ParseMessage>, stop: AbortSignal): AsyncIterable<ParseMessage> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<ParseMessage> {
      const inner = messages[Symbol.asyncIterator]();
      const stopped = new Promise<'stop'>((resolve) => {
        if (stop.aborted) resolve('stop');
        else stop.addEventListener('abort', () => resolve('stop'), { once: true });
      });
      let pending: Promise<IteratorResult<ParseMessage>> | undefined;
      let woken = false;
      return {
        async next(): Promise<IteratorResult<ParseMessage>> {
          pending ??= inner.next();
          const first = woken ? await pending : await Promise.race([pending, stopped]);
          if (first === 'stop') {
            woken = true;
            return { done: false, value: { kind: 'idle' } };
          }
          pending = undefined;
          return first;
        },
        async return(): Promise<IteratorResult<ParseMessage>> {
          // A read still pending (input that never comes) is left to end with the process.
          if (!pending) await inner.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
