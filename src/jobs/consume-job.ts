import { Batcher } from '../core/batcher.js';
import { profileByName } from '../profiles/registry.js';
import { sinkFromUrl } from '../sinks/registry.js';
import { AckAfterCommit } from '../sources/nats/ack-after-commit.js';
import { streamSourceFor } from '../sources/registry.js';
import type { Source } from '../sources/source.js';
import type { ConsumeConfig } from './config/consume-config.js';
import { defaultDeadLetterPath } from './job-harness.js';
import { runJob, type JobResult } from './run-job.js';

/**
 * `sluice consume` as a library call: a JetStream stream drained through a durable pull consumer into
 * a sink, until SIGINT/SIGTERM (exit 0 after the batch in hand). Each batch commits its rows with the
 * cursor of committed sequences; only then are its messages acknowledged.
 */
export async function runConsume(config: ConsumeConfig): Promise<JobResult> {
  const profile = profileByName(config.profile);
  const parse = { profile: profile.name, profileOptions: {}, maxLineBytes: 1 << 20, readBytes: 256 * 1024 };
  const made = await streamSourceFor([config.from], { needs: { rows: true }, flag: 'STREAM' }, { profile, parse }, config);
  let current: Source | undefined;
  const source = (): Source => (current = made.source());
  const inner = await sinkFromUrl(config.into, profile, { dryRun: false });
  const result = await runJob({
    job: 'consume',
    source,
    sink: new AckAfterCommit(inner, () => current?.committed?.()),
    scope: profile.name,
    batcher: new Batcher(config.batchSize, config.batchAgeMs),
    deadLetterPath: config.deadLetter ?? defaultDeadLetterPath(config.into),
    statusFile: config.statusFile,
    progress: config.progress,
    metricsPort: config.metricsPort,
    onSignal: 'service',
  });
  return { ...result, exitCode: 0 };
}
