import type { BadRecord } from '../../core/bad-record.js';
import type { ParseMessage, UnitPlan } from '../../core/parse-message.js';
import type { Profile } from '../../profiles/profile.js';
import type { NatsAddress } from '../../sinks/nats/nats-url.js';
import type { Source, SourceContext } from '../source.js';
import { CommittedSequences } from './committed-sequences.js';
import { ConsumeThread } from './consume-thread.js';

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

/**
 * A JetStream stream through a durable pull consumer, as one endless unit. Everything NATS (the
 * connection, the continuous pull, the committed sequences, decoding, acks) runs in the consume
 * thread (`jetstream-reader.ts`); this thread, the writer's, only passes on the chunks of rows it
 * sends, each with the cursor (`nats|STREAM|DURABLE`, holding the committed sequences) to write in
 * the batch's transaction, so a redelivered message whose rows are already in is skipped. Messages
 * are acknowledged only after the batch that holds them was committed (`ackHanded`, called by the job
 * after each commit, acknowledges every chunk handed so far).
 */
export class NatsSource implements Source {
  readonly description: string;
  private thread: ConsumeThread | undefined;
  /** The last chunk handed to the writer (0: none). */
  private handedUpTo = 0;
  private ackedUpTo = 0;
  private unhook: (() => void) | undefined;

  constructor(private readonly o: NatsSourceOptions) {
    this.description = `${o.address.display} durable ${o.durable}`;
  }

  /** The cursor key of this stream and durable. */
  get cursorKey(): string {
    return `nats|${this.o.address.name}|${this.o.durable}`;
  }

  async open(ctx: SourceContext): Promise<AsyncIterable<ParseMessage>> {
    const { address, durable, profile, fetchMax, ackWaitSec } = this.o;
    // Messages waiting in the stream for this durable.
    const thread = new ConsumeThread({ address, durable, profile: profile.name, fetchMax, ackWaitSec }, (pending) => ctx.bus.set('lagBytes', pending));
    this.thread = thread;
    // A stop while the stream does not exist yet ends the wait.
    const halt = (): void => thread.halt();
    ctx.stop.addEventListener('abort', halt, { once: true });
    this.unhook = () => ctx.stop.removeEventListener('abort', halt);
    try {
      await thread.next(); // ready: connected, the consumer exists
      const stored = await ctx.sink.readCursor(this.cursorKey);
      const identity = CommittedSequences.parse(stored?.identity ?? '').toString();
      thread.begin(identity);
      return this.read(thread, identity, ctx);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Acknowledges every message of the batches committed so far (the job calls it after each commit). */
  ackHanded(): void {
    if (this.handedUpTo === this.ackedUpTo) return;
    this.ackedUpTo = this.handedUpTo;
    this.thread?.ack(this.handedUpTo);
  }

  async close(): Promise<void> {
    this.unhook?.();
    this.unhook = undefined;
    const thread = this.thread;
    this.thread = undefined;
    await thread?.close(); // the acks asked for are sent; the rest JetStream redelivers after the ack wait
  }

  private async *read(thread: ConsumeThread, identity: string, ctx: SourceContext): AsyncGenerator<ParseMessage> {
    const plan: UnitPlan = {
      index: 0,
      display: this.description,
      path: null,
      gzip: false,
      startOffset: CommittedSequences.parse(identity).last,
      startLine: 0,
      cursorKey: this.cursorKey,
      identity,
      size: 0,
    };
    yield { kind: 'unit-start', unit: 0, plan };
    ctx.bus.setPhase('consuming');
    let delivered = 0;
    try {
      while (!ctx.stop.aborted) {
        const m = await thread.next(ctx.stop);
        if (m === undefined) break; // a stop: the batch in hand commits, its acks go out, then `close`
        if (m.kind !== 'chunk' && m.kind !== 'idle') continue;
        thread.took();
        if (m.kind === 'idle') {
          yield { kind: 'idle' };
          continue;
        }
        const bad: BadRecord[] = m.bad.map((b) => ({ file: this.description, line: b.seq, offset: b.seq, reason: b.reason, raw: b.raw }));
        delivered += m.messages;
        this.handedUpTo = m.id;
        plan.identity = m.identity;
        yield { kind: 'chunk', unit: 0, rows: m.rows, bad, records: m.records, skipped: m.skipped, warnings: [], warningCount: 0, endOffset: m.last, endLine: delivered, rawBytes: m.rawBytes };
      }
    } finally {
      thread.halt();
    }
  }
}
