import { basename, dirname, extname, join } from 'node:path';
import { profileByName } from '../../profiles/registry.js';
import { sinkFromUrl } from '../../sinks/registry.js';
import { resolveFileUnits } from '../../sources/file-source.js';
import { ProgressRenderer } from '../../telemetry/progress-renderer.js';
import { StatusFileWriter } from '../../telemetry/status-file.js';
import { runSummary, type RunSummary } from '../../telemetry/summary.js';
import { TelemetryBus } from '../../telemetry/telemetry-bus.js';
import type { IngestConfig } from '../config/ingest-config.js';
import { DeadLetterFile } from '../dead-letter-file.js';
import { EXIT } from '../errors.js';
import type { ParseMessage, ParseOptions } from '../parse/parse-messages.js';
import { parseUnits } from '../parse/parse-units.js';
import { WorkerParseStage } from '../parse/worker-parse-stage.js';
import { Shutdown } from '../shutdown.js';
import { planUnits } from './plan-units.js';
import { runFlow } from './run-flow.js';

/** Bytes read from a unit at a time: about a thousand bridge events, one chunk message. */
const READ_BYTES = 256 * 1024;

/** The result of an ingest run: its summary and the exit code it maps to. */
export interface IngestResult {
  summary: RunSummary;
  exitCode: number;
}

/**
 * `sluice ingest` as a library call: files → parse stage (a worker thread for files, the main thread
 * for stdin) → the single writer → the sink, with cursors, dead letters, telemetry and graceful stop.
 */
export async function runIngest(config: IngestConfig, options: { stdin?: NodeJS.ReadableStream } = {}): Promise<IngestResult> {
  const profile = profileByName(config.profile);
  const refs = await resolveFileUnits(config.files);
  const sink = sinkFromUrl(config.into, profile, { dryRun: config.dryRun });
  const bus = new TelemetryBus('ingest');
  const deadLetterPath = config.deadLetter ?? (config.dryRun ? undefined : defaultDeadLetterPath(config.into));
  const deadLetter = deadLetterPath === undefined ? undefined : new DeadLetterFile(deadLetterPath);
  const shutdown = new Shutdown();
  const status = config.statusFile ? new StatusFileWriter(config.statusFile, bus) : undefined;
  const progress = config.progress ? new ProgressRenderer(bus) : undefined;

  await sink.open();
  let stage: (AsyncIterable<ParseMessage> & { close?: () => Promise<void> }) | undefined;
  try {
    status?.start();
    bus.setPhase('planning');
    deadLetter?.open(sink.readCursor(deadLetter.cursorKey));
    const scope = `${profile.name}|session=${config.session ?? '*'}`;
    const planning = planUnits(refs, sink, scope);
    bus.set('bytesTotal', planning.bytesTotal);
    bus.add('unitsSkipped', planning.alreadyDone.length);
    const parseOptions: ParseOptions = {
      profile: profile.name,
      profileOptions: { session: config.session },
      maxLineBytes: config.maxLineBytes,
      readBytes: READ_BYTES,
    };
    const plans = planning.units.map((u) => u.plan);
    const readsStdin = plans.some((p) => p.path === null);
    stage = readsStdin
      ? parseUnits(plans, parseOptions, (options.stdin ?? process.stdin) as import('node:stream').Readable)
      : new WorkerParseStage(plans, parseOptions);
    shutdown.install();
    progress?.start();
    const outcome = await runFlow({
      units: planning.units,
      stage,
      sink,
      deadLetter,
      bus,
      batchRows: config.batchSize,
      batchAgeMs: config.batchAgeMs,
      stopRequested: () => shutdown.requested !== undefined,
    });
    const phase = outcome === 'done' ? 'done' : 'interrupted';
    bus.end(phase);
    const summary = runSummary(bus.snapshot(), sink.description, deadLetter?.path ?? null);
    const signal = shutdown.requested;
    const exitCode = signal ? Shutdown.exitCodeFor(signal) : summary.bad > 0 ? EXIT.deadLettered : EXIT.ok;
    return { summary, exitCode };
  } catch (err) {
    bus.end('failed');
    sink.rollback();
    throw err;
  } finally {
    progress?.stop();
    status?.stop();
    shutdown.uninstall();
    await stage?.close?.();
    deadLetter?.close();
    await sink.close();
  }
}

/** `logs/bridge.db` → `logs/bridge.dead-letter.ndjson`. */
function defaultDeadLetterPath(into: string): string {
  const path = into.startsWith('sqlite:') ? into.slice('sqlite:'.length) : 'sluice.db';
  return join(dirname(path), `${basename(path, extname(path))}.dead-letter.ndjson`);
}
