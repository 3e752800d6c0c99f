import { z } from 'zod';
import type { SinkDescriptor } from '../sink-descriptor.js';

const NatsSettings = z
  .object({
    statePath: z
      .string()
      .min(1)
      .describe('SQLite file for cursors (and a spool ledger), saved once JetStream acknowledged the rows (--state)')
      .meta({ example: 'logs/sluice-nats.state.db' }),
    stream: z
      .string()
      .regex(/^[^\s.*>/\\]+$/, { error: 'a stream name has no spaces, dots, *, > or slashes' })
      .optional()
      .describe('JetStream stream the subject belongs to, created if missing (--stream; default the first token of the subject)')
      .meta({ example: 'sluice' }),
    duplicateWindowSec: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(120)
      .describe('duplicate window of a stream this sink creates: a Nats-Msg-Id seen within it is dropped, in seconds')
      .meta({ example: 120 }),
    recordsPerMessage: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(500)
      .describe(
        'records whose rows go in one message, per table (a message also ends past 64 KiB); 1 publishes one message per row, as Sluice did before, which an older sluice consume reads',
      )
      .meta({ example: 500 }),
    maxInFlight: z.number().int().min(1).max(100_000).default(4096).describe('publishes awaiting their PubAck at once').meta({ example: 4096 }),
    ackTimeoutMs: z.number().int().min(100).default(10_000).describe('longest wait for one PubAck before the publish is retried, in ms').meta({ example: 10_000 }),
    retryForMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe('how long a publish is retried while NATS is away before the batch fails (a service then reconnects), in ms')
      .meta({ example: 60_000 }),
  })
  .strict();

/** `nats://HOST:PORT/SUBJECT`: a JetStream stream; rows as JSON messages (several records each), cursors saved once acknowledged. */
export const natsSinkDescriptor: SinkDescriptor<typeof NatsSettings> = {
  name: 'nats',
  schemes: ['nats:'],
  summary: 'a NATS JetStream stream: JSON messages of the rows of consecutive records, deduplicated by Nats-Msg-Id (any profile)',
  example: 'nats://127.0.0.1:4222/sluice.bridge',
  settings: NatsSettings,
  capabilities: { transactionalCursor: false, acknowledgedCursor: true, ledgerInDatabase: false, documents: false, stateBesideInput: true },
  supports: (profile) => profile.tables.length > 0,
  async create(url, profile, settings) {
    // The client is loaded only for NATS runs.
    const { NatsSink } = await import('./nats-sink.js');
    return new NatsSink(url, profile, settings);
  },
};
