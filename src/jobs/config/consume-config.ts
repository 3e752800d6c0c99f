import { z } from 'zod';
import { count } from '../../core/config/config-types.js';

/** Options of `sluice consume`, with their defaults. The schema is the documentation. */
export const ConsumeConfigSchema = z
  .object({
    /** `nats://HOST:PORT/STREAM`: the stream to drain. */
    from: z.string().regex(/^nats:\/\//, { error: 'expected nats://HOST:PORT/STREAM' }),
    /** Durable consumer name; processes with the same one share the messages. */
    durable: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, - and _ only' }),
    /** Sink URL; `--db PATH` means `sqlite:PATH`. */
    into: z.string().min(1),
    /** Profile whose tables the messages are rows of. */
    profile: z.string().min(1).default('bridge'),
    /** Rows per transaction at most (a commit also happens every `batchAgeMs` and when idle). */
    batchSize: count(1, 1_000_000).default(50_000),
    /** Longest batch age before a commit, in milliseconds. */
    batchAgeMs: count(1, 60_000).default(100),
    /** Messages pulled ahead, and in one chunk at most (a message holds the rows of up to 500 records). */
    fetchMax: count(1, 100_000).default(500),
    /** Seconds JetStream waits for an ack before it redelivers a message (to this or another process). */
    ackWaitSec: count(1, 3600).default(30),
    /** Dead-letter file; default beside the database. */
    deadLetter: z.string().min(1).optional(),
    /** Status JSON file, replaced atomically every second. */
    statusFile: z.string().min(1).optional(),
    /** Prometheus `/metrics` port on 127.0.0.1. */
    metricsPort: count(1, 65_535).optional(),
    /** Show progress on stderr. */
    progress: z.boolean().default(true),
  })
  .strict();

export type ConsumeConfig = z.infer<typeof ConsumeConfigSchema>;
