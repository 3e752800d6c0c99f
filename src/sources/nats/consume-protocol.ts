import type { EncodedRows } from '../../core/rows/row-chunk.js';
import type { NatsAddress } from '../../sinks/nats/nats-url.js';
import type { ThreadError } from './thread-error.js';

/** What the consume thread is started with (its `workerData`). */
export interface ConsumeThreadSettings {
  address: NatsAddress;
  durable: string;
  /** The profile whose tables the rows are (and whose messages are taken, by their header). */
  profile: string;
  /** Messages pulled ahead, and in one chunk at most. */
  fetchMax: number;
  /** How long JetStream waits for an ack before it redelivers a message, in seconds. */
  ackWaitSec: number;
}

/** The rows of one chunk of messages, with the cursor to commit with them. */
export interface ConsumedChunk {
  kind: 'chunk';
  /** 1, 2, 3…: acknowledged by number (`ack`). */
  id: number;
  rows: EncodedRows[];
  /** Rows added, all tables together. */
  records: number;
  /** Parts that were not rows: `seq` is the message's stream sequence, `raw` the bad part (or the whole message). */
  bad: Array<{ seq: number; reason: string; raw: string }>;
  /** Messages in the chunk, and those of them left out (rows in already, or another profile's). */
  messages: number;
  skipped: number;
  /** Bytes of the messages' bodies. */
  rawBytes: number;
  /** The committed sequences once this chunk is in (the cursor's identity), and the highest. */
  identity: string;
  last: number;
}

/** From the writer (main thread) to the consume thread. */
export type ToConsumeThread =
  /** The cursor read from the sink: start consuming, taking its sequences as committed. */
  | { kind: 'begin'; identity: string }
  /** The writer took a chunk (or an idle note): one more may be sent. */
  | { kind: 'took' }
  /** The batches holding every chunk up to `upTo` are committed: acknowledge their messages. */
  | { kind: 'ack'; upTo: number }
  /** A stop was asked for: read no more (the connection stays, for the last acks). */
  | { kind: 'halt' }
  /** Let go of everything and close the connection (answered with `closed`). */
  | { kind: 'close' };

/** From the consume thread to the writer. */
export type FromConsumeThread =
  /** Connected, and the durable consumer exists. */
  | { kind: 'ready' }
  /** A line for the user's log (the stream does not exist yet). */
  | { kind: 'notice'; text: string }
  | ConsumedChunk
  /** Nothing came for the idle time. */
  | { kind: 'idle' }
  /** Messages waiting in the stream for this durable. */
  | { kind: 'lag'; pending: number }
  | { kind: 'failed'; error: ThreadError }
  | { kind: 'closed' };
