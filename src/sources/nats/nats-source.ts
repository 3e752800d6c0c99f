import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BadRecord } from '../../core/bad-record.js';
import type { ParseMessage, UnitPlan } from '../../core/parse-message.js';
import type { Profile } from '../../profiles/profile.js';
import { connectNats, isTransientNatsError } from '../../sinks/nats/connection.js';
import { PROFILE_HEADER } from '../../sinks/nats/nats-sink.js';
import type { NatsAddress } from '../../sinks/nats/nats-url.js';
import type { Source, SourceContext } from '../source.js';
import { CommittedSequences } from './committed-sequences.js';
import { MessageInbox } from './message-inbox.js';
import type { DecodeResult } from './decode-protocol.js';
import { DecodeThread } from './decode-thread.js';

/** Options of the NATS source (`sluice consume`). */
export interface NatsSourceOptions {
  address: NatsAddress;
  /** Durable pull consumer; processes with the same one share the messages. */
  durable: string;
  profile: Profile;
  /** Messages pulled ahead, and in one chunk at most. */
  fetchMax: number;
  /** How long JetStream waits for an ack before it redelivers a message, in seconds. */
  ackWaitSec: number;
}

/** A chunk's messages, sorted, with their rows on the way from the decode thread. */
interface PreparedChunk {
  msgs: JsMsg[];
  /** Those whose rows are not in yet (the others are skipped). */
  fresh: JsMsg[];
  decoded: Promise<DecodeResult>;
  rawBytes: number;
  /** The committed sequences once this chunk is in, and the highest. */
  identity: string;
  last: number;
}

/** How often the consumer's ack floor is read to keep the committed set small. */
const ACK_FLOOR_EVERY_MS = 5000;

/** Longest life of one pull request of the continuous consume (the client renews them). */
const CONSUME_EXPIRES_MS = 5000;

/**
 * How long no message may come before the source says it is idle (the batch in hand commits): the
 * batch age of `consume` (100 ms), so the last rows of a burst (or of a drained backlog) wait no
 * longer for their commit than a batch does (250 ms added a quarter second to draining a stream).
 */
const IDLE_AFTER_MS = 100;

/** Bytes of messages queued for the writer at most; the pump stops taking more from the client. */
const QUEUE_BYTES = 8 << 20;

/** Bytes of messages in one chunk at most (about 8,000 bridge rows). */
const CHUNK_BYTES = 2 << 20;

/**
 * A JetStream stream through a durable pull consumer, as one endless unit: the client pulls
 * continuously (`consume`, up to `fetchMax` messages ahead), and whatever has come in, up to `fetchMax`
 * messages or `CHUNK_BYTES`, becomes the next chunk of rows for the profile's tables. A message's rows
 * are always in one chunk, so they commit in one transaction. Messages are acknowledged only after the
 * batch that holds them was committed (`ackHanded`, called by the job after each commit); the cursor
 * (`nats|STREAM|DURABLE`) holds the committed sequences, so a redelivered message whose rows are
 * already in is skipped.
 */
export class NatsSource implements Source {
  readonly description: string;
  private nc: NatsConnection | undefined;
  /** Messages handed to the writer and not acknowledged yet, oldest first. */
  private handed: JsMsg[] = [];
  private inbox: MessageInbox | undefined;
  /** Started first thing in `open`, so its start-up (loading the profiles) overlaps connecting. */
  private decoder: DecodeThread | undefined;

  constructor(private readonly o: NatsSourceOptions) {
    this.description = `${o.address.display} durable ${o.durable}`;
  }

  /** The cursor key of this stream and durable. */
  get cursorKey(): string {
    return `nats|${this.o.address.name}|${this.o.durable}`;
  }

  async open(ctx: SourceContext): Promise<AsyncIterable<ParseMessage>> {
    const decoder = new DecodeThread(this.o.profile.name);
    this.decoder = decoder;
    try {
      const nc = await connectNats(this.o.address, `sluice consume ${this.o.durable}`);
      this.nc = nc;
      const consumer = await this.consumer(nc, ctx.stop);
      const stored = await ctx.sink.readCursor(this.cursorKey);
      return this.read(consumer, decoder, CommittedSequences.parse(stored?.identity ?? ''), ctx);
    } catch (err) {
      this.decoder = undefined;
      await decoder.close();
      throw err;
    }
  }

  /** Acknowledges every message of the batches committed so far (the job calls it after each commit). */
  ackHanded(): void {
    const msgs = this.handed;
    this.handed = [];
    for (const m of msgs) m.ack();
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    this.handed = []; // not committed: JetStream redelivers them after the ack wait
    this.inbox?.stop();
    this.inbox = undefined;
    const decoder = this.decoder;
    this.decoder = undefined;
    await decoder?.close();
    if (!nc) return;
    await nc.flush().catch(() => undefined); // the acks on their way
    await nc.close().catch(() => undefined);
  }

  /** The durable consumer, created when missing; waits while the stream does not exist yet. */
  private async consumer(nc: NatsConnection, stop: AbortSignal): Promise<Consumer> {
    const { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } = await import('@nats-io/jetstream');
    const { nanos } = await import('@nats-io/transport-node');
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
        if (code === 10059 && !stop.aborted) {
          if (!waited) process.stderr.write(`sluice consume: stream ${stream} does not exist yet; waiting for an edge to create it\n`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          continue;
        }
        // A consumer of that name with other settings: use it as it is.
        if (code !== 10148 && code !== 10013) throw err;
        break;
      }
    }
    return jetstream(nc).consumers.get(stream, this.o.durable);
  }

  private async *read(consumer: Consumer, decoder: DecodeThread, committed: CommittedSequences, ctx: SourceContext): AsyncGenerator<ParseMessage> {
    const plan: UnitPlan = {
      index: 0,
      display: this.description,
      path: null,
      gzip: false,
      startOffset: committed.last,
      startLine: 0,
      cursorKey: this.cursorKey,
      identity: committed.toString(),
      size: 0,
    };
    yield { kind: 'unit-start', unit: 0, plan };
    ctx.bus.setPhase('consuming');
    // Pulled by count: pulls by bytes (`max_bytes`) stalled for seconds with nats-server 2.9 (the
    // client's byte count drifts from the server's and no pull stays open until heartbeats are missed).
    const inbox = new MessageInbox(await consumer.consume({ max_messages: this.o.fetchMax, expires: CONSUME_EXPIRES_MS }), { messages: 2 * this.o.fetchMax, bytes: QUEUE_BYTES });
    this.inbox = inbox;
    const limits = { messages: this.o.fetchMax, bytes: CHUNK_BYTES };
    /** Sorts a chunk's messages, counts them as committed from this chunk on, and starts decoding the fresh ones. */
    const prepare = (msgs: JsMsg[]): PreparedChunk => {
      const fresh: JsMsg[] = [];
      let rawBytes = 0;
      for (const m of msgs) {
        rawBytes += m.data.byteLength;
        const profile = m.headers?.get(PROFILE_HEADER);
        // Its rows are in already, or it belongs to another profile's consumers.
        if ((m.redelivered && committed.has(m.seq)) || (profile && profile !== this.o.profile.name)) continue;
        fresh.push(m);
      }
      committed.addAll(fresh.map((m) => m.seq));
      const decoded = fresh.length > 0 ? decoder.decode(fresh) : Promise.resolve({ id: 0, rows: [], records: 0, bad: [] });
      decoded.catch(() => undefined); // a chunk read ahead and never used (a stop) must not fail the process
      // The cursor written with this chunk's rows says which sequences are in, up to this chunk.
      return { msgs, fresh, decoded, rawBytes, identity: committed.toString(), last: committed.last };
    };
    let lastFloorCheck = 0;
    let delivered = 0;
    let ahead: PreparedChunk | undefined;
    try {
      while (!ctx.stop.aborted) {
        if (Date.now() - lastFloorCheck >= ACK_FLOOR_EVERY_MS) {
          lastFloorCheck = Date.now();
          const info = await consumer.info().catch((err: unknown) => {
            if (isTransientNatsError(err)) return undefined; // asked again at the next look
            throw err;
          });
          if (info) {
            committed.pruneTo(info.ack_floor.stream_seq);
            ctx.bus.set('lagBytes', info.num_pending); // messages waiting in the stream for this durable
          }
        }
        let chunk = ahead;
        ahead = undefined;
        if (!chunk) {
          // What has come in, up to a chunk: nothing waits for a batch to fill, so a trickle goes on at once.
          const msgs = await inbox.take(limits, IDLE_AFTER_MS, ctx.stop);
          if (msgs.length === 0) {
            yield { kind: 'idle' };
            continue;
          }
          chunk = prepare(msgs);
        }
        // While the writer inserts this chunk, the next one (what is queued already) is decoded.
        const more = inbox.takeQueued(limits);
        if (more.length > 0) ahead = prepare(more);
        const d = await chunk.decoded;
        const bad: BadRecord[] = d.bad.map((b) => {
          const m = chunk.fresh[b.index] as JsMsg;
          return { file: this.description, line: m.seq, offset: m.seq, reason: b.reason, raw: b.raw ?? m.string() };
        });
        delivered += chunk.msgs.length;
        for (const m of chunk.msgs) this.handed.push(m);
        plan.identity = chunk.identity;
        const skipped = chunk.msgs.length - chunk.fresh.length;
        yield { kind: 'chunk', unit: 0, rows: d.rows, bad, records: d.records, skipped, warnings: [], warningCount: 0, endOffset: chunk.last, endLine: delivered, rawBytes: chunk.rawBytes };
      }
    } finally {
      inbox.stop();
      if (this.decoder === decoder) this.decoder = undefined;
      await decoder.close();
    }
  }
}
