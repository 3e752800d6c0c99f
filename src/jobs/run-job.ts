import type { Sink } from '../core/sink.js';
import type { Source } from '../sources/source.js';
import { runSummary, type RunSummary } from '../telemetry/summary.js';
import type { Batcher } from '../core/batcher.js';
import { EXIT, SluiceError } from '../core/errors.js';
import { Shutdown } from '../core/shutdown.js';
import { withJob } from './job-harness.js';
import { runFlow, type FlowParts, type UncommittedCounts } from '../core/run-flow.js';
import { SinkReconnect } from './sink-reconnect.js';

/** One job: a source, a sink, and how it reports and stops. */
export interface JobSpec {
  /** `ingest`, `follow`, ...: names the job in logs and the status file. */
  job: string;
  /**
   * Where records come from. A factory lets a service start its source afresh (from the committed
   * cursors) after it lost its sink and reconnected.
   */
  source: Source | (() => Source);
  sink: Sink;
  /** Cursor scope: profile and filters. */
  scope: string;
  batcher: Batcher;
  deadLetterPath: string | undefined;
  statusFile: string | undefined;
  progress: boolean;
  metricsPort?: number | undefined;
  /**
   * What a SIGINT/SIGTERM means: `interrupt` ends a once-run after the message in hand (exit
   * 130/143); `finish-unit` lets the source finish the unit in hand first (exit 130/143); `service`
   * is a normal end for a long-running job, also after the unit in hand (exit 0).
   */
  onSignal: 'interrupt' | 'finish-unit' | 'service';
  /** Flow options of sources with all-or-nothing units (spool). */
  units?: Pick<FlowParts, 'atomicUnits' | 'onUnitFailed' | 'onUnitCommitted'>;
}

/** The result of a run: its summary and the exit code it maps to. */
export interface JobResult {
  summary: RunSummary;
  exitCode: number;
}

/** Runs any job: Source → (Decoder → Profile.map in the source) → single writer → Sink. */
export async function runJob(spec: JobSpec): Promise<JobResult> {
  const { sink } = spec;
  const newSource = typeof spec.source === 'function' ? spec.source : once(spec.source);
  const waitsForSink = spec.onSignal === 'service' && typeof spec.source === 'function';
  return withJob({ ...spec, waitsForSink }, async ({ bus, deadLetter, shutdown, stop }) => {
    // prom-client is loaded only when metrics are asked for.
    const metrics =
      spec.metricsPort === undefined
        ? undefined
        : new (await import('../telemetry/metrics-server.js')).MetricsServer(bus, spec.metricsPort);
    await metrics?.start();
    const uncommitted: UncommittedCounts = { read: 0, bad: 0, skipped: 0 };
    const reconnect = new SinkReconnect(spec, bus, stop);
    try {
      for (;;) {
        const source = newSource();
        let lost: unknown;
        try {
          bus.setPhase('planning');
          const stage = await source.open({ sink, scope: spec.scope, stop, bus });
          const outcome = await runFlow({
            stage,
            sink,
            deadLetter,
            bus,
            batcher: spec.batcher,
            // A service's source ends by itself on the stop signal, after handing over what it read.
            stopRequested: spec.onSignal === 'interrupt' ? () => shutdown.requested !== undefined : () => false,
            onCommit: (ms) => metrics?.observeCommit(ms),
            uncommitted,
            ...spec.units,
          });
          bus.end(outcome === 'done' ? (shutdown.requested ? 'stopped' : 'done') : 'interrupted');
        } catch (err) {
          if (!reconnect.worthIt(err)) throw codedLoss(err, sink);
          lost = err;
        } finally {
          await source.close();
        }
        if (lost === undefined) break;
        // The batch in hand is gone with the connection: take back its counts (its dead letters are
        // cut off by the reconnect); the new source reads those records again from the cursors.
        bus.add('read', -uncommitted.read);
        bus.add('bad', -uncommitted.bad);
        bus.add('skipped', -uncommitted.skipped);
        Object.assign(uncommitted, { read: 0, bad: 0, skipped: 0 });
        if (!(await reconnect.wait(lost, deadLetter))) {
          bus.end('stopped');
          break;
        }
      }
    } finally {
      await metrics?.stop();
    }
    const summary = runSummary(bus.snapshot(), sink.description, deadLetter?.path ?? null, sink.storesNothing === true);
    const signal = shutdown.requested;
    const exitCode =
      signal && spec.onSignal !== 'service' ? Shutdown.exitCodeFor(signal) : summary.bad > 0 ? EXIT.deadLettered : EXIT.ok;
    return { summary, exitCode };
  });
}

/** A source given as an object serves one attempt only. */
function once(source: Source): () => Source {
  let used = false;
  return () => {
    if (used) throw new Error('a job that reconnects needs a source factory');
    used = true;
    return source;
  };
}

/**
 * A lost connection ends a run that does not wait for its sink (a once-run) with a coded error:
 * nothing is lost, the committed cursors hold, and the same command goes on from them.
 */
function codedLoss(err: unknown, sink: Sink): unknown {
  if (err instanceof SluiceError || sink.isTransient?.(err) !== true) return err;
  const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  return new SluiceError(
    'SLUICE_E_SINK',
    `lost ${sink.description}: ${message}`,
    { cause: err, because: 'lost_connection' },
  );
}
