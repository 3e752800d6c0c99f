import type { Readable } from 'node:stream';
import { profileByName } from '../../profiles/registry.js';
import { sinkFromUrl } from '../../sinks/registry.js';
import { resolveFileUnits } from '../../sources/file-source.js';
import { runSummary, type RunSummary } from '../../telemetry/summary.js';
import { Batcher } from '../batcher.js';
import type { IngestConfig } from '../config/ingest-config.js';
import { EXIT } from '../errors.js';
import type { ParseMessage, ParseOptions } from '../parse/parse-messages.js';
import { parseUnits } from '../parse/parse-units.js';
import { WorkerParseStage } from '../parse/worker-parse-stage.js';
import { Shutdown } from '../shutdown.js';
import { defaultDeadLetterPath, withJob } from './job-harness.js';
import { planUnits } from './plan-units.js';
import { runFlow } from './run-flow.js';

/** Bytes read from a unit at a time: about a thousand bridge events, one chunk message. */
const READ_BYTES = 256 * 1024;

/** The result of a run: its summary and the exit code it maps to. */
export interface JobResult {
  summary: RunSummary;
  exitCode: number;
}

/**
 * `sluice ingest` as a library call: files → parse stage (a worker thread for files, the main thread
 * for stdin) → the single writer → the sink, with cursors, dead letters, telemetry and graceful stop.
 */
export async function runIngest(config: IngestConfig, options: { stdin?: Readable } = {}): Promise<JobResult> {
  const profile = profileByName(config.profile);
  const refs = await resolveFileUnits(config.files);
  const sink = sinkFromUrl(config.into, profile, { dryRun: config.dryRun });
  const setup = {
    job: 'ingest',
    sink,
    deadLetterPath: config.deadLetter ?? (config.dryRun ? undefined : defaultDeadLetterPath(config.into)),
    statusFile: config.statusFile,
    progress: config.progress,
  };
  return withJob(setup, async ({ bus, deadLetter, shutdown }) => {
    bus.setPhase('planning');
    const planning = planUnits(refs, sink, `${profile.name}|session=${config.session ?? '*'}`);
    bus.set('bytesTotal', planning.bytesTotal);
    bus.add('unitsSkipped', planning.alreadyDone.length);
    const parseOptions: ParseOptions = {
      profile: profile.name,
      profileOptions: { session: config.session },
      maxLineBytes: config.maxLineBytes,
      readBytes: READ_BYTES,
    };
    const { plans } = planning;
    const stage: AsyncIterable<ParseMessage> & { close?: () => Promise<void> } = plans.some((p) => p.path === null)
      ? parseUnits(plans, parseOptions, options.stdin ?? process.stdin)
      : new WorkerParseStage(plans, parseOptions);
    try {
      const outcome = await runFlow({
        stage,
        sink,
        deadLetter,
        bus,
        batcher: new Batcher(config.batchSize, config.batchAgeMs),
        stopRequested: () => shutdown.requested !== undefined,
      });
      bus.end(outcome === 'done' ? 'done' : 'interrupted');
    } finally {
      await stage.close?.();
    }
    const summary = runSummary(bus.snapshot(), sink.description, deadLetter?.path ?? null);
    const signal = shutdown.requested;
    const exitCode = signal ? Shutdown.exitCodeFor(signal) : summary.bad > 0 ? EXIT.deadLettered : EXIT.ok;
    return { summary, exitCode };
  });
}
