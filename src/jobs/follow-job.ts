import { profileByName } from '../profiles/registry.js';
import { sinkFromUrl } from '../sinks/registry.js';
import { streamSourceFor } from '../sources/registry.js';
import { Batcher } from '../core/batcher.js';
import type { FollowConfig } from './config/follow-config.js';
import { runJob, type JobResult } from './run-job.js';
import { sinkStateFor } from './sink-state.js';

/**
 * `sluice follow` as a library call: tail a dated pattern into the sink until SIGINT/SIGTERM, which
 * commit the batch in hand and end the run with exit 0 (a service stopping is not a failure).
 */
export async function runFollow(config: FollowConfig): Promise<JobResult> {
  const profile = profileByName(config.profile);
  const parse = {
    profile: profile.name,
    profileOptions: { session: config.session, timeZone: config.tz },
    maxLineBytes: config.maxLineBytes,
    readBytes: 256 * 1024,
  };
  const inputs = [config.pattern];
  const { descriptor, source } = await streamSourceFor(inputs, { needs: { endless: true, rows: false }, flag: 'PATTERN' }, { profile, parse }, config);
  // Local state of an acknowledged sink sits beside the input, in the folder the source says it is.
  const state = sinkStateFor(config.into, config, descriptor.folderOf?.(inputs) ?? '.');
  const result = await runJob({
    job: 'follow',
    source,
    sink: await sinkFromUrl(config.into, profile, { dryRun: false, settings: state.settings }),
    scope: `${profile.name}|session=${config.session ?? '*'}`,
    batcher: new Batcher(config.batchSize, config.batchAgeMs),
    deadLetterPath: config.deadLetter ?? state.deadLetterPath,
    statusFile: config.statusFile,
    progress: config.progress,
    metricsPort: config.metricsPort,
    onSignal: 'service',
  });
  // Bad records were dead-lettered and counted; a service that stopped on request still exits 0.
  return { ...result, exitCode: 0 };
}
