import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { SluiceError } from '../../core/errors.js';

/** How long a chunk that is not full waits for more messages, in ms (bounds the latency it adds). */
const GATHER_MS = 25;

/** A number of messages and of their bytes, whichever is reached first. */
export interface MessageLimits {
  messages: number;
  bytes: number;
}

/**
 * The messages a continuous pull (`consumer.consume()`) delivered and the writer has not taken yet.
 * A pump moves them from the client's iterator into a queue, and stops pulling while `highWater`
 * messages or bytes wait (the client then asks the server for no more); `take` hands over what is
 * there. If the
 * iterator ends on its own (the consumer was deleted, the connection closed), `take` throws an
 * error that counts as "NATS away": the job reconnects and starts a new consume.
 */
export class MessageInbox {
  private queue: JsMsg[] = [];
  private queuedBytes = 0;
  private ended: Error | undefined;
  private stopped = false;
  private wakeReader: (() => void) | undefined;
  private wakePump: (() => void) | undefined;

  constructor(
    private readonly messages: ConsumerMessages,
    private readonly highWater: MessageLimits,
  ) {
    void this.pump();
  }

  /**
   * Up to `max` messages (at least one, however big): those queued now, or the first ones to come
   * within `idleMs` (none when nothing came, or a stop was asked for).
   */
  async take(max: MessageLimits, idleMs: number, stop: AbortSignal): Promise<JsMsg[]> {
    if (this.queue.length === 0) await this.waitFor(() => this.queue.length > 0, idleMs, stop);
    // A trickle: let a few more come, so a chunk (and its commit and acks) is not one message each.
    const enough = (): boolean => this.queue.length >= max.messages || this.queuedBytes >= max.bytes;
    if (this.queue.length > 0 && !enough()) await this.waitFor(enough, GATHER_MS, stop);
    if (this.queue.length === 0 && this.ended) throw this.ended;
    return this.takeQueued(max);
  }

  /** Up to `max` of the messages queued now (at least one, however big, when any is), without waiting. */
  takeQueued(max: MessageLimits): JsMsg[] {
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && n < max.messages && (n === 0 || bytes < max.bytes)) bytes += (this.queue[n++] as JsMsg).data.byteLength;
    if (n === 0) return [];
    const out = n === this.queue.length ? this.queue : this.queue.slice(0, n);
    this.queue = n === this.queue.length ? [] : this.queue.slice(n);
    this.queuedBytes -= bytes;
    if (!this.full) this.wakePump?.();
    return out;
  }

  private get full(): boolean {
    return this.queue.length >= this.highWater.messages || this.queuedBytes >= this.highWater.bytes;
  }

  /** Resolves once `enough()` (checked as messages come), after `ms`, on a stop, or when the pull ended. */
  private async waitFor(enough: () => boolean, ms: number, stop: AbortSignal): Promise<void> {
    if (enough() || this.ended !== undefined || stop.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        this.wakeReader = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      stop.addEventListener('abort', done, { once: true });
      this.wakeReader = () => {
        if (enough() || this.ended !== undefined) done();
      };
    });
  }

  /** Ends the pull; messages not handed over are redelivered by JetStream after the ack wait. */
  stop(): void {
    this.stopped = true;
    this.messages.stop();
    this.wakePump?.();
  }

  private async pump(): Promise<void> {
    try {
      for await (const m of this.messages) {
        this.queue.push(m);
        this.queuedBytes += m.data.byteLength;
        this.wakeReader?.();
        while (this.full && !this.stopped) await new Promise<void>((resolve) => (this.wakePump = resolve));
        this.wakePump = undefined;
        if (this.stopped) break;
      }
      if (!this.stopped) this.ended = new SluiceError('SLUICE_E_SOURCE', 'the NATS consumer stopped delivering (connection closed or consumer deleted); reconnecting');
    } catch (err) {
      this.ended = err instanceof Error ? err : new Error(String(err));
    }
    this.wakeReader?.();
  }
}
