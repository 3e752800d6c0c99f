import { Shutdown } from '../core/shutdown.js';
import { TelemetryBus } from '../core/telemetry-bus.js';
import { ProgressRenderer } from '../telemetry/progress-renderer.js';
import { StatusFileWriter } from '../telemetry/status-file.js';

/** What every command that runs (a flow, a service, an archival or enrichment run) sets up the same way. */
export interface HarnessSetup {
  /** `ingest`, `serve`, `archive`, ...: names the run in logs and the status file. */
  job: string;
  /** Status JSON, replaced atomically every second. */
  statusFile?: string | undefined;
  /** A progress bar on a TTY, log lines elsewhere. */
  progress?: boolean | undefined;
  /** What a first SIGINT/SIGTERM lets finish, for its message (`committing the batch in hand`). */
  finishing?: string | undefined;
}

/** The parts a run works with. */
export interface HarnessContext {
  /** Counters and phase; every renderer reads it. */
  bus: TelemetryBus;
  shutdown: Shutdown;
  /** Aborted on the first SIGINT/SIGTERM. */
  stop: AbortSignal;
}

/**
 * Runs a body between the set-up and tear-down every command shares: one telemetry bus, the status
 * file and progress started, signals turned into a graceful stop (a second one exits at once), and
 * all of it closed again whatever happens. A body that throws ends the run as `failed`.
 */
export async function withHarness<T>(setup: HarnessSetup, body: (ctx: HarnessContext) => Promise<T>): Promise<T> {
  const bus = new TelemetryBus(setup.job);
  const status = setup.statusFile ? new StatusFileWriter(setup.statusFile, bus) : undefined;
  const progress = setup.progress ? new ProgressRenderer(bus) : undefined;
  const stopper = new AbortController();
  const shutdown = new Shutdown(setup.finishing);
  // Signals are ours from the start: a SIGTERM while the run opens its parts still ends it cleanly.
  shutdown.install(() => stopper.abort());
  try {
    status?.start();
    progress?.start();
    return await body({ bus, shutdown, stop: stopper.signal });
  } catch (err) {
    bus.end('failed');
    throw err;
  } finally {
    progress?.stop();
    status?.stop();
    shutdown.uninstall();
  }
}
