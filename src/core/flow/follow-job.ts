import { profileByName } from '../../profiles/registry.js';
import { sinkFromUrl } from '../../sinks/registry.js';
import { DatePattern } from '../../sources/follow/date-pattern.js';
import { followSource } from '../../sources/follow/follow-source.js';
import { MetricsServer } from '../../telemetry/metrics-server.js';
import { runSummary } from '../../telemetry/summary.js';
import { Batcher } from '../batcher.js';
import type { FollowConfig } from '../config/follow-config.js';
import { EXIT } from '../errors.js';
import type { JobResult } from './ingest-job.js';
import { defaultDeadLetterPath, withJob } from './job-harness.js';
import { runFlow } from './run-flow.js';

/**
 * `sluice follow` as a library call: tail a dated pattern into the sink until SIGINT/SIGTERM, which
 * commit the batch in hand and end the run with exit 0 (a service stopping is not a failure).
 */
export async function runFollow(config: FollowConfig): Promise<JobResult> {
  const profile = profileByName(config.profile);
  const sink = sinkFromUrl(config.into, profile, { dryRun: false });
  const setup = {
    job: 'follow',
    sink,
    deadLetterPath: config.deadLetter ?? defaultDeadLetterPath(config.into),
    statusFile: config.statusFile,
    progress: config.progress,
  };
  return withJob(setup, async ({ bus, deadLetter, stop }) => {
    const metrics = config.metricsPort === undefined ? undefined : new MetricsServer(bus, config.metricsPort);
    await metrics?.start();
    try {
      const stage = followSource({
        pattern: new DatePattern(config.pattern),
        sink,
        scope: `${profile.name}|session=${config.session ?? '*'}`,
        parse: {
          profile: profile.name,
          profileOptions: { session: config.session },
          maxLineBytes: config.maxLineBytes,
          readBytes: 256 * 1024,
        },
        pollMs: config.pollMs,
        idleCloseSec: config.idleCloseSec,
        fromEnd: config.fromEnd,
        stop,
        onPhase: (phase) => bus.setPhase(phase),
        onLag: (lag) => bus.set('lagBytes', lag),
      });
      await runFlow({
        stage,
        sink,
        deadLetter,
        bus,
        batcher: new Batcher(config.batchSize, config.batchAgeMs),
        // The source itself ends on the stop signal, after handing over what it has read.
        stopRequested: () => false,
        onCommit: (ms) => metrics?.observeCommit(ms),
      });
    } finally {
      await metrics?.stop();
    }
    bus.end('stopped');
    const summary = runSummary(bus.snapshot(), sink.description, deadLetter?.path ?? null);
    return { summary, exitCode: EXIT.ok };
  });
}
