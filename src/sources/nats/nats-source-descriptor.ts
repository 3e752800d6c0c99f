import { z } from 'zod';
import type { ParseMessage } from '../../core/parse-message.js';
import { parseNatsUrl } from '../../sinks/nats/nats-url.js';
import type { Source, SourceContext } from '../source.js';
import type { StreamSourceDescriptor } from '../source-descriptor.js';
import type { NatsSource } from './nats-source.js';

const NatsSourceSettings = z
  .object({
    durable: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, - and _ only' })
      .describe('durable consumer name; processes with the same one share the messages (--durable)')
      .meta({ example: 'centre' }),
    fetchMax: z.number().int().min(1).max(100_000).default(500).describe('messages pulled ahead, and in one chunk at most (--fetch-max); a chunk also ends past 2 MiB').meta({ example: 500 }),
    ackWaitSec: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe('how long JetStream waits for an ack before it redelivers a message, in seconds (--ack-wait-sec)')
      .meta({ example: 30 }),
  })
  .strict();

/** `nats://HOST:PORT/STREAM`: a JetStream stream drained by a durable consumer (`sluice consume`). */
export const natsSourceDescriptor: StreamSourceDescriptor<typeof NatsSourceSettings> = {
  name: 'nats',
  schemes: ['nats:'],
  summary: 'a NATS JetStream stream of rows, drained by a durable pull consumer, acknowledged after commit',
  example: 'nats://127.0.0.1:4222/sluice',
  settings: NatsSourceSettings,
  capabilities: { endless: true, ledgerUnits: false, resumesMidUnit: false, rows: true },
  async create(inputs, settings, parts) {
    const address = parseNatsUrl(inputs[0] ?? '', 'STREAM');
    // The client is loaded only for NATS runs.
    const { NatsSource: Made } = await import('./nats-source.js');
    return () => new AckingNatsSource(new Made({ address, profile: parts.profile, ...settings }));
  },
};

/** The NATS source with the generic after-commit hook: the messages of committed batches are acknowledged. */
class AckingNatsSource implements Source {
  readonly description: string;

  constructor(private readonly inner: NatsSource) {
    this.description = inner.description;
  }

  open(ctx: SourceContext): Promise<AsyncIterable<ParseMessage>> {
    return this.inner.open(ctx);
  }

  committed(): void {
    this.inner.ackHanded();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
