import type { NatsConnection } from '@nats-io/transport-node';
import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { CommitResult, RowsOrigin, Sink, UnitCursor } from '../../core/sink.js';
import type { Profile } from '../../profiles/profile.js';
import { SinkStateStore } from '../state/sink-state-store.js';
import { connectNats, isTransientNatsError } from './connection.js';
import { batchMessageId, messageId } from './message-id.js';
import { defaultStreamOf, parseNatsUrl, type NatsAddress } from './nats-url.js';
import { Publisher } from './publisher.js';
import { rowBatchMessages } from './row-batches.js';
import { rowMessages } from './row-json.js';
import { ensureStream } from './stream.js';

/** Options of the NATS sink (see `nats-descriptor.ts` for what each means). */
export interface NatsSinkOptions {
  statePath: string;
  stream?: string | undefined;
  duplicateWindowSec: number;
  recordsPerMessage: number;
  maxInFlight: number;
  ackTimeoutMs: number;
  retryForMs: number;
}

/** Headers every message carries besides `Nats-Msg-Id`. */
export const PROFILE_HEADER = 'Sluice-Profile';
export const TABLE_HEADER = 'Sluice-Table';

/** A message of several rows ends after the record that takes its body past this many bytes. */
const MESSAGE_BYTES = 64 * 1024;

/**
 * Rows into a NATS JetStream stream on the URL's subject, each JSON message holding the rows of up to
 * `recordsPerMessage` consecutive records of one table (`row-batches.ts`; with 1, one message per
 * row, `row-json.ts`), with a deterministic `Nats-Msg-Id` (see `message-id.ts`). Publishing is pipelined; `flush` waits for every
 * PubAck, and only then does `commit` save the cursors in the local state file. A crash in between
 * publishes the rows again from the saved cursors, and JetStream drops them as duplicates.
 */
export class NatsSink implements Sink {
  readonly description: string;
  private readonly address: NatsAddress;
  private readonly stream: string;
  private readonly state: SinkStateStore;
  private nc: NatsConnection | undefined;
  private publisher: Publisher | undefined;
  private committed = { stored: 0, duplicates: 0 };

  constructor(
    url: string,
    private readonly profile: Profile,
    private readonly o: NatsSinkOptions,
  ) {
    this.address = parseNatsUrl(url, 'SUBJECT');
    this.stream = o.stream ?? defaultStreamOf(this.address.name);
    this.description = `${this.address.display} (stream ${this.stream})`;
    this.state = new SinkStateStore(o.statePath);
  }

  async open(): Promise<void> {
    await this.closeConnection();
    this.state.close();
    const nc = await connectNats(this.address, `sluice ${this.profile.name}`);
    this.nc = nc;
    try {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      await ensureStream(await jetstreamManager(nc), { name: this.stream, subject: this.address.name, duplicateWindowSec: this.o.duplicateWindowSec });
      this.publisher = new Publisher(nc, this.o);
      this.committed = { stored: 0, duplicates: 0 };
      this.state.open();
    } catch (err) {
      await this.closeConnection();
      throw err;
    }
  }

  async readCursor(key: string): Promise<UnitCursor | undefined> {
    return this.state.read(key);
  }

  async write(rows: EncodedRows, origin?: RowsOrigin): Promise<void> {
    const table = this.profile.tables[rows.table];
    if (!table) throw new Error(`profile ${this.profile.name} has no table #${rows.table}`);
    const publisher = this.requirePublisher();
    const cursorKey = origin?.cursorKey ?? null;
    const extra = [
      [PROFILE_HEADER, this.profile.name],
      [TABLE_HEADER, table.name],
    ] as const;
    // Sent synchronously while the window has room, so a chunk's messages leave in few socket writes.
    if (this.o.recordsPerMessage === 1) {
      for (const m of rowMessages(rows, table)) {
        if (publisher.full) await publisher.room();
        publisher.send(this.address.name, m.body, messageId(cursorKey, m.record, table.name, m.indexInRecord, m.body), extra);
      }
      return;
    }
    for (const m of rowBatchMessages(rows, table, this.o.recordsPerMessage, MESSAGE_BYTES)) {
      if (publisher.full) await publisher.room();
      publisher.send(this.address.name, m.body, batchMessageId(cursorKey, table.name, m.firstRecord, m.lastRecord, m.body), extra, m.rows);
    }
  }

  /** Waits for the PubAck of every message published; nothing is refused one by one. */
  async flush(): Promise<[]> {
    await this.requirePublisher().drain();
    return [];
  }

  async commit(cursors: readonly UnitCursor[]): Promise<CommitResult> {
    const publisher = this.requirePublisher();
    await publisher.drain(); // flush() did it, unless it was not called
    this.state.save(cursors);
    const { stored, duplicates } = publisher.counts;
    const result = { written: stored - this.committed.stored, duplicates: duplicates - this.committed.duplicates };
    this.committed = { stored, duplicates };
    return result;
  }

  /** Published messages cannot be taken back; they are redone from the cursors with the same ids. */
  rollback(): void {
    this.publisher?.reset();
    if (this.publisher) this.committed = { stored: this.publisher.counts.stored, duplicates: this.publisher.counts.duplicates };
  }

  async close(): Promise<void> {
    this.rollback();
    this.state.close();
    await this.closeConnection();
  }

  isTransient(err: unknown): boolean {
    return isTransientNatsError(err);
  }

  outcomes(): Record<string, number> {
    const c = this.publisher?.counts;
    return c ? { stored: c.stored, duplicates: c.duplicates, retried: c.retried } : {};
  }

  private async closeConnection(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    this.publisher?.close();
    this.publisher = undefined;
    await nc?.close().catch(() => undefined);
  }

  private requirePublisher(): Publisher {
    if (!this.publisher) throw new Error('NatsSink used before open()');
    return this.publisher;
  }
}
