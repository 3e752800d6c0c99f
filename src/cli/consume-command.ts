import { Command } from 'commander';
import { ConsumeConfigSchema } from '../jobs/config/consume-config.js';
import { validateConfig } from '../core/config/validate.js';
import type { SinkDescriptor } from '../sinks/sink-descriptor.js';
import { sinkOptions, sinkUrlFrom, type SinkFlags } from './sink-flags.js';
import { endService, serviceConfig, serviceOptions, withOptions, type ServiceFlags } from './service-flags.js';
import { profileOption } from './profile-option.js';

interface ConsumeFlags extends SinkFlags, ServiceFlags {
  durable?: string;
  profile?: string;
  batchSize?: string;
  fetchMax?: string;
  ackWaitSec?: string;
}

const EXAMPLES = `
Examples:
  $ sluice consume nats://127.0.0.1:4222/sluice --durable central --profile bridge --into postgres://ingest@db/logs
  $ sluice consume nats://127.0.0.1:4222/sluice --durable honeypot --profile cowrie --db honeypot.db

The rows that edges published with --into nats://HOST:PORT/SUBJECT go into the sink as they are.
Messages are acknowledged only after their batch is committed; the committed stream sequences are
the cursor, written in the batch's transaction, so a redelivered message is skipped. Processes with
the same --durable share the messages. Messages of another profile are skipped (and acknowledged).

SIGINT/SIGTERM commit the batch in hand and exit 0. A lost NATS or database connection is retried.`;

/** `sluice consume nats://HOST:PORT/STREAM`: drain a JetStream stream into a sink. */
export function consumeCommand(sinks: readonly SinkDescriptor[]): Command {
  const command = new Command('consume')
    .description('Drain a NATS JetStream stream (rows published by edges) into a sink, exactly once')
    .argument('<url>', 'nats://HOST:PORT/STREAM')
    .requiredOption('--durable <name>', 'durable consumer name; processes with the same name share the work');
  const options = withOptions(command, sinkOptions(sinks))
    .addOption(profileOption('whose tables the rows are', 'bridge'))
    .option('--batch-size <n>', 'rows per transaction at most (default 50000; commits also every 100 ms and when idle)')
    .option('--fetch-max <n>', 'messages fetched at a time (default 500)')
    .option('--ack-wait-sec <n>', 'seconds before JetStream redelivers an unacknowledged message (default 30)');
  const texts = { deadLetter: 'where messages that are not rows go (default beside the database)', statusFile: 'JSON status file, replaced every second' };
  return withOptions(options, serviceOptions(texts))
    .addHelpText('after', EXAMPLES)
    .action(async (url: string, flags: ConsumeFlags) => {
      const config = validateConfig(ConsumeConfigSchema, {
        from: url,
        durable: flags.durable,
        into: sinkUrlFrom(flags),
        profile: flags.profile,
        batchSize: flags.batchSize,
        fetchMax: flags.fetchMax,
        ackWaitSec: flags.ackWaitSec,
        ...serviceConfig(flags),
      });
      const { runConsume } = await import('../jobs/consume-job.js');
      const result = await runConsume(config);
      endService(result);
    });
}
