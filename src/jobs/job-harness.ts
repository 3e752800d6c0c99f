import { basename, dirname, extname, join } from 'node:path';
import type { Sink } from '../core/sink.js';
import { ProgressRenderer } from '../telemetry/progress-renderer.js';
import { StatusFileWriter } from '../telemetry/status-file.js';
import { TelemetryBus } from '../core/telemetry-bus.js';
import { DeadLetterFile } from '../core/dead-letter-file.js';
import { Shutdown } from '../core/shutdown.js';

/** What every job sets up the same way. */
export interface JobSetup {
  job: string;
  sink: Sink;
  deadLetterPath: string | undefined;
  statusFile: string | undefined;
  progress: boolean;
}

/** The parts a job body works with. */
export interface JobContext {
  bus: TelemetryBus;
  sink: Sink;
  deadLetter: DeadLetterFile | undefined;
  shutdown: Shutdown;
  /** Aborted on the first SIGINT/SIGTERM. */
  stop: AbortSignal;
}

/**
 * Runs a job body between the set-up and tear-down every job shares: the sink opened (migrations),
 * the dead-letter file reconciled with its committed mark, status file and progress started, signals
 * turned into a graceful stop; and all of it closed again whatever happens.
 */
export async function withJob<T>(setup: JobSetup, body: (ctx: JobContext) => Promise<T>): Promise<T> {
  const bus = new TelemetryBus(setup.job);
  const deadLetter = setup.deadLetterPath === undefined ? undefined : new DeadLetterFile(setup.deadLetterPath);
  const status = setup.statusFile ? new StatusFileWriter(setup.statusFile, bus) : undefined;
  const progress = setup.progress ? new ProgressRenderer(bus) : undefined;
  const stopper = new AbortController();
  const shutdown = new Shutdown();
  const { sink } = setup;

  // Signals are ours from the start: a SIGTERM while the sink opens still ends the run cleanly.
  shutdown.install(() => stopper.abort());
  try {
    await sink.open();
  } catch (err) {
    shutdown.uninstall();
    throw err;
  }
  try {
    status?.start();
    if (deadLetter) {
      deadLetter.open(await sink.readCursor(deadLetter.cursorKey));
      // A baseline mark before any batch, so even the first batch's dead letters are cut off after a crash.
      await sink.commit([deadLetter.mark()]);
    }
    progress?.start();
    return await body({ bus, sink, deadLetter, shutdown, stop: stopper.signal });
  } catch (err) {
    bus.end('failed');
    await sink.rollback();
    throw err;
  } finally {
    progress?.stop();
    status?.stop();
    shutdown.uninstall();
    deadLetter?.close();
    await sink.close();
  }
}

/** `logs/bridge.db` → `logs/bridge.dead-letter.ndjson`: dead letters live beside the database. */
export function defaultDeadLetterPath(into: string): string {
  const path = into.startsWith('sqlite:') ? into.slice('sqlite:'.length) : 'sluice.db';
  return join(dirname(path), `${basename(path, extname(path))}.dead-letter.ndjson`);
}
