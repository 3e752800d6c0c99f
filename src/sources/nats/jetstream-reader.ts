import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { RowChunkBuilder, transferablesOf } from '../../core/rows/row-chunk.js';
import type { Profile } from '../../profiles/profile.js';
import { connectNats, isTransientNatsError } from '../../sinks/nats/connection.js';
import { PROFILE_HEADER } from '../../sinks/nats/nats-sink.js';
import { CommittedSequences } from './committed-sequences.js';
import type { ConsumeThreadSettings, ConsumedChunk, FromConsumeThread } from './consume-protocol.js';
import { MessageInbox, type MessageLimits } from './message-inbox.js';
import { MessageDecoder } from './message-rows.js';

/** How often the consumer's ack floor is read to keep the committed set small (and the lag is told). */
const ACK_FLOOR_EVERY_MS = 5000;

/** Longest life of one pull request of the continuous consume (the client renews them). */
const CONSUME_EXPIRES_MS = 5000;

/**
 * How long no message may come before the writer is told it is idle (the batch in hand commits): the
 * batch age of `consume` (100 ms), so the last rows of a burst (or of a drained backlog) wait no
 * longer for their commit than a batch does (250 ms added a quarter second to draining a stream).
 */
const IDLE_AFTER_MS = 100;

/** Bytes of messages queued for decoding at most; the pump stops taking more from the client. */
const QUEUE_BYTES = 8 << 20;

/** Bytes of messages in one chunk at most (about 8,000 bridge rows). */
const CHUNK_BYTES = 2 << 20;

/**
 * Chunks sent to the writer and not taken yet, at most: while it inserts one, the next is ready and
 * the one after is being decoded.
 */
const CHUNKS_AHEAD = 2;

/**
 * The NATS side of `sluice consume`, run in the consume thread: the connection, the durable pull
 * consumer (`consume`, up to `fetchMax` messages ahead), the committed sequences, and the decoding of
 * whatever has come in (up to `fetchMax` messages or `CHUNK_BYTES`) into the rows of a chunk, sent to
 * the writer with the cursor to commit with it. A message's rows are always in one chunk, so they
 * commit in one transaction. The messages of a chunk are acknowledged only when the writer says the
 * batches holding it are committed (`ack`); a redelivered message whose sequence is in the committed
 * set is skipped, and so is a message of another profile.
 */
export class JetStreamReader {
  private nc: NatsConnection | undefined;
  private consumer: Consumer | undefined;
  private inbox: MessageInbox | undefined;
  /** Ends the waits of a halted or closed reader. */
  private readonly stop = new AbortController();
  /** Chunks sent and not acknowledged yet, oldest first. */
  private handed: Array<{ id: number; msgs: JsMsg[] }> = [];
  private credit = CHUNKS_AHEAD;
  private wakeForCredit: (() => void) | undefined;
  private nextId = 1;
  private readonly builders: RowChunkBuilder[];
  private readonly decoder: MessageDecoder;

  constructor(
    private readonly o: ConsumeThreadSettings,
    private readonly profile: Profile,
    private readonly send: (m: FromConsumeThread, transfer?: ArrayBuffer[]) => void,
  ) {
    this.builders = profile.tables.map((t, i) => new RowChunkBuilder(i, t));
    this.decoder = new MessageDecoder(profile, this.builders);
  }

  /** Connects and makes the durable consumer (when missing); waits while the stream does not exist yet. */
  async open(): Promise<void> {
    const { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } = await import('@nats-io/jetstream');
    const { nanos } = await import('@nats-io/transport-node');
    const nc = await connectNats(this.o.address, `sluice consume ${this.o.durable}`);
    this.nc = nc;
    const jsm = await jetstreamManager(nc);
    const stream = this.o.address.name;
    for (let waited = false; ; waited = true) {
      try {
        await jsm.consumers.add(stream, {
          durable_name: this.o.durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(this.o.ackWaitSec * 1000),
          max_ack_pending: 100_000,
        });
        break;
      } catch (err) {
        const code = (err as { code?: number }).code;
        // Stopped while waiting: nothing to read (`run` returns at once), the run ends as stopped.
        if (code === 10059 && this.stop.signal.aborted) return;
        if (code === 10059) {
          if (!waited) this.send({ kind: 'notice', text: `sluice consume: stream ${stream} does not exist yet; waiting for an edge to create it` });
          await sleep(1000, this.stop.signal);
          continue;
        }
        // A consumer of that name with other settings: use it as it is.
        if (code !== 10148 && code !== 10013) throw err;
        break;
      }
    }
    this.consumer = await jetstream(nc).consumers.get(stream, this.o.durable);
  }

  /** Consumes until halted: chunks (and idle notes) are sent as the writer takes them. */
  async run(identity: string): Promise<void> {
    const consumer = this.consumer;
    if (!consumer || this.stop.signal.aborted) return;
    const committed = CommittedSequences.parse(identity);
    // Pulled by count: pulls by bytes (`max_bytes`) stalled for seconds with nats-server 2.9 (the
    // client's byte count drifts from the server's and no pull stays open until heartbeats are missed).
    const inbox = new MessageInbox(await consumer.consume({ max_messages: this.o.fetchMax, expires: CONSUME_EXPIRES_MS }), { messages: 2 * this.o.fetchMax, bytes: QUEUE_BYTES });
    this.inbox = inbox;
    const limits: MessageLimits = { messages: this.o.fetchMax, bytes: CHUNK_BYTES };
    const stop = this.stop.signal;
    let lastFloorCheck = 0;
    while (!stop.aborted) {
      if (Date.now() - lastFloorCheck >= ACK_FLOOR_EVERY_MS) {
        lastFloorCheck = Date.now();
        const info = await consumer.info().catch((err: unknown) => {
          if (isTransientNatsError(err)) return undefined; // asked again at the next look
          throw err;
        });
        if (info) {
          committed.pruneTo(info.ack_floor.stream_seq);
          this.send({ kind: 'lag', pending: info.num_pending });
        }
      }
      if (this.credit === 0) {
        await new Promise<void>((resolve) => (this.wakeForCredit = resolve));
        continue;
      }
      // What has come in, up to a chunk: nothing waits for a batch to fill, so a trickle goes on at once.
      const msgs = await inbox.take(limits, IDLE_AFTER_MS, stop);
      if (stop.aborted) break;
      this.credit -= 1;
      if (msgs.length === 0) this.send({ kind: 'idle' });
      else this.sendChunk(msgs, committed);
    }
  }

  /** The writer took a chunk: one more may be sent. */
  took(): void {
    this.credit += 1;
    this.wake();
  }

  /** Acknowledges every message of the chunks up to `upTo` (their batches are committed). */
  ack(upTo: number): void {
    let n = 0;
    while (n < this.handed.length && (this.handed[n]?.id ?? Infinity) <= upTo) n++;
    const done = this.handed.splice(0, n);
    for (const chunk of done) for (const m of chunk.msgs) m.ack();
  }

  /** Reads no more; what was not handed over is redelivered by JetStream after the ack wait. */
  halt(): void {
    this.stop.abort();
    this.inbox?.stop();
    this.wake();
  }

  /** Halts, and closes the connection once the acks sent are on their way. */
  async close(): Promise<void> {
    this.halt();
    this.handed = []; // not committed: JetStream redelivers them after the ack wait
    const nc = this.nc;
    this.nc = undefined;
    if (!nc) return;
    await nc.flush().catch(() => undefined);
    await nc.close().catch(() => undefined);
  }

  private wake(): void {
    const w = this.wakeForCredit;
    this.wakeForCredit = undefined;
    w?.();
  }

  /** Decodes the fresh messages of `msgs`, counts them as committed from this chunk on, and sends the rows. */
  private sendChunk(msgs: JsMsg[], committed: CommittedSequences): void {
    const chunk: ConsumedChunk = { kind: 'chunk', id: this.nextId++, rows: [], records: 0, bad: [], messages: msgs.length, skipped: 0, rawBytes: 0, identity: '', last: 0 };
    const fresh: number[] = [];
    const name = this.profile.name;
    try {
      for (const m of msgs) {
        chunk.rawBytes += m.data.byteLength;
        const profile = m.headers?.get(PROFILE_HEADER);
        // Its rows are in already, or it belongs to another profile's consumers.
        if ((m.redelivered && committed.has(m.seq)) || (profile && profile !== name)) continue;
        fresh.push(m.seq);
        const got = this.decoder.add(m.data, m.seq);
        chunk.records += got.rows;
        for (const b of got.bad) chunk.bad.push({ seq: m.seq, reason: b.reason, raw: b.raw ?? m.string() });
      }
      chunk.rows = this.builders.filter((b) => b.count > 0).map((b) => b.take());
    } catch (err) {
      for (const b of this.builders) b.take(); // nothing of a failed chunk stays for the next
      throw err;
    }
    chunk.skipped = msgs.length - fresh.length;
    committed.addAll(fresh);
    // The cursor written with this chunk's rows says which sequences are in, up to this chunk.
    chunk.identity = committed.toString();
    chunk.last = committed.last;
    this.handed.push({ id: chunk.id, msgs });
    this.send(chunk, chunk.rows.flatMap(transferablesOf));
  }
}

/** Sleeps `ms`, less when `stop` fires. */
function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
  });
}
