import type { JetStreamClient } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { SluiceError } from '../../core/errors.js';
import { isTransientNatsError, messageOf } from './connection.js';

/** Settings of the publisher. */
export interface PublisherOptions {
  /** Publishes awaiting their PubAck at most; `publish` waits for a free slot beyond that. */
  maxInFlight: number;
  /** Longest wait for one PubAck, in ms. */
  ackTimeoutMs: number;
  /** How long a publish is retried while NATS is away (same `Nats-Msg-Id`: safe), in ms. */
  retryForMs: number;
}

/** What the publisher did since it was made. */
export interface PublishCounts {
  /** Messages the stream stored. */
  stored: number;
  /** Messages the stream dropped as duplicates (`Nats-Msg-Id` seen within its window). */
  duplicates: number;
  /** Publishes retried after a timeout or a lost connection. */
  retried: number;
}

/**
 * Pipelined JetStream publishing: up to `maxInFlight` messages wait for their PubAck at once (not
 * one round trip per message); `drain` resolves when every message published so far is
 * acknowledged, or throws the first failure. A failure that means NATS is away is retried with the
 * same `Nats-Msg-Id` until `retryForMs` runs out.
 */
export class Publisher {
  readonly counts: PublishCounts = { stored: 0, duplicates: 0, retried: 0 };
  private inFlight = 0;
  private failure: unknown;
  /** Bumped by `reset`: acks of messages published before it no longer count. */
  private generation = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly js: JetStreamClient,
    private readonly o: PublisherOptions,
  ) {}

  /** Sends one message; resolves once it is on its way (a slot was free), not when it is acknowledged. */
  async publish(subject: string, body: string, headers: MsgHdrs, msgID: string): Promise<void> {
    while (this.inFlight >= this.o.maxInFlight) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.throwFailure();
    this.inFlight += 1;
    const generation = this.generation;
    void this.send(subject, body, headers, msgID).then(
      (duplicate) => {
        if (generation !== this.generation) return;
        if (duplicate) this.counts.duplicates += 1;
        else this.counts.stored += 1;
      },
      (err: unknown) => {
        if (generation === this.generation) this.failure ??= err;
      },
    ).finally(() => {
      this.inFlight -= 1;
      this.wake();
    });
  }

  /** Waits until every message published so far is acknowledged; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.throwFailure();
  }

  /** Forgets a failure and the messages in flight (they may still land: their ids make that safe). */
  reset(): void {
    this.generation += 1;
    this.failure = undefined;
  }

  private async send(subject: string, body: string, headers: MsgHdrs, msgID: string): Promise<boolean> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await this.js.publish(subject, body, { msgID, headers, timeout: this.o.ackTimeoutMs, retries: 1 });
        return ack.duplicate;
      } catch (err) {
        if (!isTransientNatsError(err) || Date.now() - started >= this.o.retryForMs) throw err;
        this.counts.retried += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private throwFailure(): void {
    if (this.failure === undefined) return;
    const err = this.failure;
    throw new SluiceError('SLUICE_E_SINK', `NATS publish failed: ${messageOf(err)}`, { cause: err });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
