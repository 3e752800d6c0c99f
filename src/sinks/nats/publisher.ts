import { createInbox, headers as newHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { SluiceError } from '../../core/errors.js';
import { isTransientNatsError, messageOf } from './connection.js';

/** Settings of the publisher. */
export interface PublisherOptions {
  /** Publishes awaiting their PubAck at most; `room` waits beyond that. */
  maxInFlight: number;
  /** Bytes of bodies awaiting their PubAck at most (kept for sending again); `room` waits beyond that. */
  maxInFlightBytes?: number;
  /** Longest wait for one PubAck before the message is sent again (same `Nats-Msg-Id`), in ms. */
  ackTimeoutMs: number;
  /** How long a message is sent again while NATS is away before the batch fails, in ms. */
  retryForMs: number;
}

/** What the publisher did since it was made. */
export interface PublishCounts {
  /** Rows in the messages the stream stored. */
  stored: number;
  /** Rows in the messages the stream dropped as duplicates (`Nats-Msg-Id` seen within its window). */
  duplicates: number;
  /** Messages sent again after a timeout, a lost connection or a "try later" answer. */
  retried: number;
}

/** One message on its way: what it takes to send it again. */
interface Pending {
  subject: string;
  body: string;
  msgID: string;
  /** Rows the message holds (what the counts add up). */
  rows: number;
  /** Headers besides `Nats-Msg-Id` (the profile and the table). */
  extra: ReadonlyArray<readonly [string, string]>;
  firstSentAt: number;
  /** When the message is sent again unless its PubAck came: last send + ack timeout, or a back-off. */
  dueAt: number;
  attempt: number;
}

/** A PubAck as JetStream sends it. */
interface PubAck {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

const MSG_ID = 'Nats-Msg-Id';

/** Bodies awaiting their PubAck at most, in bytes, unless the options say otherwise. */
const DEFAULT_IN_FLIGHT_BYTES = 16 << 20;

/**
 * JetStream's asynchronous publish, done the way the server expects it: each message is a plain
 * publish whose reply subject is one of this publisher's inbox (`_INBOX.X.N`); the PubAcks come back on
 * one wildcard subscription. There is no request object, timer or promise per message, and the
 * messages of a chunk leave in one socket write. Up to `maxInFlight` wait for their PubAck at once;
 * `drain` resolves when all are acknowledged, or throws the first failure. A message whose PubAck does
 * not come within `ackTimeoutMs`, or that JetStream answers "unavailable", is sent again with the same
 * `Nats-Msg-Id` (the stream drops a copy) until `retryForMs` runs out; "no responders" (no stream
 * takes the subject) fails at once, so the sink opens again and makes sure of its stream.
 */
export class Publisher {
  readonly counts: PublishCounts = { stored: 0, duplicates: 0, retried: 0 };
  private readonly pending = new Map<number, Pending>();
  private readonly prefix = createInbox();
  private readonly headers = newHeaders();
  private readonly sub: Subscription;
  private readonly sweep: NodeJS.Timeout;
  private next = 0;
  /** Bytes (UTF-16 units: close enough) of the bodies in `pending`. */
  private pendingBytes = 0;
  private readonly maxBytes: number;
  private failure: unknown;
  private waiters: Array<() => void> = [];
  /** `room` resolves once no more than this many wait for their PubAck. */
  private readonly lowWater: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly o: PublisherOptions,
  ) {
    this.lowWater = Math.floor(o.maxInFlight / 2);
    this.maxBytes = o.maxInFlightBytes ?? DEFAULT_IN_FLIGHT_BYTES;
    this.sub = nc.subscribe(`${this.prefix}.*`, { callback: (err, msg) => (err ? this.fail(err) : this.onAck(msg)) });
    this.sweep = setInterval(() => this.resendOverdue(), Math.max(50, Math.min(1000, o.ackTimeoutMs / 4)));
    this.sweep.unref();
  }

  /** Whether `maxInFlight` messages (or their bytes) wait for their PubAck: await `room()` before sending more. */
  get full(): boolean {
    return this.pending.size >= this.o.maxInFlight || this.pendingBytes >= this.maxBytes;
  }

  /** Resolves once half the window is free again (or a failure is there to throw). */
  async room(): Promise<void> {
    while (!this.halfFree && this.failure === undefined) await this.wait();
    this.throwFailure();
  }

  private get halfFree(): boolean {
    return this.pending.size <= this.lowWater && this.pendingBytes <= this.maxBytes / 2;
  }

  /**
   * Sends one message of `rows` rows now (it leaves with the others of this tick); the PubAck is
   * counted when it comes. `extra` are headers besides `Nats-Msg-Id`. Check `full` first.
   */
  send(subject: string, body: string, msgID: string, extra: ReadonlyArray<readonly [string, string]>, rows = 1): void {
    this.throwFailure();
    const now = Date.now();
    const id = this.next++;
    const p: Pending = { subject, body, msgID, rows, extra, firstSentAt: now, dueAt: now + this.o.ackTimeoutMs, attempt: 0 };
    this.pending.set(id, p);
    this.pendingBytes += body.length;
    this.publish(id, p);
  }

  /** Waits until every message sent so far is acknowledged; throws the first failure. */
  async drain(): Promise<void> {
    while (this.pending.size > 0 && this.failure === undefined) await this.wait();
    this.throwFailure();
  }

  /** Forgets a failure and the messages in flight (they may still land: their ids make that safe). */
  reset(): void {
    this.pending.clear();
    this.pendingBytes = 0;
    this.failure = undefined;
    this.wake();
  }

  /** Stops listening for PubAcks. */
  close(): void {
    clearInterval(this.sweep);
    this.sub.unsubscribe();
    this.reset();
  }

  private publish(id: number, p: Pending): void {
    const h = this.headers;
    for (const [k, v] of p.extra) h.set(k, v);
    h.set(MSG_ID, p.msgID);
    try {
      this.nc.publish(p.subject, p.body, { reply: `${this.prefix}.${id}`, headers: h });
    } catch (err) {
      // Closed or draining: sent again by the sweep while that counts as NATS being away.
      if (!isTransientNatsError(err)) this.fail(err);
    }
  }

  private onAck(msg: Msg): void {
    const id = Number(msg.subject.slice(this.prefix.length + 1));
    const p = this.pending.get(id);
    if (!p) return; // a late PubAck of a message already counted, sent again, or reset
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      // No stream takes the subject (another edge changed the stream, or JetStream is not up yet):
      // the batch fails as "NATS away", and the sink opens again, which makes sure of the stream.
      this.fail(new Error(`no responders on ${p.subject}: no JetStream stream takes it (yet)`));
      return;
    }
    let ack: PubAck;
    try {
      ack = msg.json<PubAck>();
    } catch (err) {
      this.fail(err);
      return;
    }
    if (ack.error) {
      const text = `${ack.error.description ?? 'error'} (code ${ack.error.code ?? '?'}, ${ack.error.err_code ?? '?'})`;
      if (ack.error.code === 503) this.retryLater(id, p, text);
      else this.fail(new Error(`JetStream refused a message on ${p.subject}: ${text}`));
      return;
    }
    this.pending.delete(id);
    this.pendingBytes -= p.body.length;
    if (ack.duplicate === true) this.counts.duplicates += p.rows;
    else this.counts.stored += p.rows;
    if (this.pending.size === 0 || this.halfFree) this.wake();
  }

  /** JetStream said "later": sent again after a back-off, under a new reply id. */
  private retryLater(id: number, p: Pending, why: string): void {
    const now = Date.now();
    if (now - p.firstSentAt >= this.o.retryForMs) {
      this.fail(new Error(`no PubAck for ${this.o.retryForMs} ms: ${why}`));
      return;
    }
    this.pending.delete(id);
    p.dueAt = now + Math.min(2000, 100 * 2 ** Math.min(p.attempt, 5));
    this.pending.set(this.next++, p);
  }

  /** Sends again every message whose PubAck is overdue (or whose back-off ended), with a new reply id. */
  private resendOverdue(): void {
    if (this.pending.size === 0 || this.failure !== undefined) return;
    const now = Date.now();
    const due: Pending[] = [];
    for (const [id, p] of this.pending) {
      if (p.dueAt > now) continue;
      if (now - p.firstSentAt >= this.o.retryForMs) {
        this.fail(new Error(`no PubAck within ${this.o.retryForMs} ms (timeout: NATS away?)`));
        return;
      }
      this.pending.delete(id);
      due.push(p);
    }
    for (const p of due) {
      p.attempt += 1;
      p.dueAt = now + this.o.ackTimeoutMs;
      this.counts.retried += 1;
      const id = this.next++;
      this.pending.set(id, p);
      this.publish(id, p);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.wake();
  }

  private throwFailure(): void {
    if (this.failure === undefined) return;
    const err = this.failure;
    throw new SluiceError('SLUICE_E_SINK', `NATS publish failed: ${messageOf(err)}`, { cause: err });
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
