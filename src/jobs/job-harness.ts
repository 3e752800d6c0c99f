import { basename, dirname, extname, join, resolve } from 'node:path';
import { RunLock } from '../db/sqlite/run-lock.js';
import type { Sink } from '../core/sink.js';
import type { TelemetryBus } from '../core/telemetry-bus.js';
import { DeadLetterFile } from '../core/dead-letter-file.js';
import type { Shutdown } from '../core/shutdown.js';
import { withHarness } from './run-harness.js';
import { SinkReconnect } from './sink-reconnect.js';
import { SluiceError } from '../core/errors.js';

/** What every job sets up the same way. */
export interface JobSetup {
  job: string;
  sink: Sink;
  deadLetterPath: string | undefined;
  statusFile: string | undefined;
  progress: boolean;
  /**
   * A service that starts its source afresh after losing its sink (`SinkReconnect`) waits the same way
   * for a sink that is down when it starts (a database still starting after a reboot), instead of failing.
   */
  waitsForSink?: boolean;
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
 * Runs a flow job's body inside the common harness (bus, status file, progress, signals), with what
 * flows add: the sink opened (migrations) and the dead-letter file reconciled with its committed mark;
 * all of it closed again whatever happens.
 */
export async function withJob<T>(setup: JobSetup, body: (ctx: JobContext) => Promise<T>): Promise<T> {
  const { sink } = setup;
  return withHarness(setup, async ({ bus, shutdown, stop }) => {
    // One writer per dead-letter file (and so per database beside it) for the whole run.
    const lock = setup.deadLetterPath === undefined ? undefined : RunLock.acquire(lockPathOf(setup.deadLetterPath), `dead-letter file ${setup.deadLetterPath}`);
    const deadLetter =
      setup.deadLetterPath === undefined ? undefined : new DeadLetterFile(setup.deadLetterPath, lock?.holder.run, lock?.previousRun);
    try {
      await openSink(setup, bus, stop);
    } catch (err) {
      lock?.release();
      throw err;
    }
    try {
      if (deadLetter) {
        deadLetter.open(await sink.readCursor(deadLetter.cursorKey));
        // A baseline mark before any batch, so even the first batch's dead letters are cut off after a crash.
        await sink.commit([deadLetter.mark()]);
      }
      return await body({ bus, sink, deadLetter, shutdown, stop });
    } catch (err) {
      // The error that ended the run is the one to report, even when the rollback fails too (a
      // lost connection has nothing to roll back).
      await Promise.resolve()
        .then(() => sink.rollback())
        .catch(() => undefined);
      throw err;
    } finally {
      deadLetter?.close();
      try {
        await sink.close();
      } finally {
        lock?.release();
      }
    }
  });
}

/** Opens the job's sink; a service waits out a sink that is down at start (see `JobSetup.waitsForSink`). */
async function openSink(setup: JobSetup, bus: TelemetryBus, stop: AbortSignal): Promise<void> {
  try {
    await setup.sink.open();
  } catch (err) {
    const reconnect = new SinkReconnect({ job: setup.job, sink: setup.sink, onSignal: setup.waitsForSink ? 'service' : 'once', source: () => undefined }, bus, stop);
    if (!reconnect.worthIt(err)) throw err;
    if (!(await reconnect.wait(err, undefined))) {
      throw new SluiceError('SLUICE_E_SINK', `stopped while waiting for ${setup.sink.description}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** `logs/bridge.db` → `logs/bridge.dead-letter.ndjson`: dead letters live beside the database. */
export function defaultDeadLetterPath(into: string): string {
  const path = into.startsWith('sqlite:') ? into.slice('sqlite:'.length) : 'sluice.db';
  return join(dirname(path), `${basename(path, extname(path))}.dead-letter.ndjson`);
}

/**
 * `logs/bridge.dead-letter.ndjson` → `logs/.bridge.dead-letter.ndjson.lock`: hidden, so an input
 * glob beside it (`logs/*.ndjson*`) never picks it up.
 */
export function lockPathOf(deadLetterPath: string): string {
  const path = resolve(deadLetterPath);
  return join(dirname(path), `.${basename(path)}.lock`);
}
