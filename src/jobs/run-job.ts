import type { Sink } from '../core/sink.js';
import type { Source } from '../sources/source.js';
import { runSummary, type RunSummary } from '../telemetry/summary.js';
import type { Batcher } from '../core/batcher.js';
import { EXIT } from '../core/errors.js';
import { Shutdown } from '../core/shutdown.js';
import { withJob } from './job-harness.js';
import { runFlow, type FlowParts } from '../core/run-flow.js';

/** One job: a source, a sink, and how it reports and stops. */
export interface JobSpec {
  /** `ingest`, `follow`, ...: names the job in logs and the status file. */
  job: string;
  source: Source;
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
  const { sink, source } = spec;
  return withJob(spec, async ({ bus, deadLetter, shutdown, stop }) => {
    // prom-client is loaded only when metrics are asked for.
    const metrics =
      spec.metricsPort === undefined
        ? undefined
        : new (await import('../telemetry/metrics-server.js')).MetricsServer(bus, spec.metricsPort);
    await metrics?.start();
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
        ...spec.units,
      });
      bus.end(outcome === 'done' ? (shutdown.requested ? 'stopped' : 'done') : 'interrupted');
    } finally {
      await source.close();
      await metrics?.stop();
    }
    const summary = runSummary(bus.snapshot(), sink.description, deadLetter?.path ?? null);
    const signal = shutdown.requested;
    const exitCode =
      signal && spec.onSignal !== 'service' ? Shutdown.exitCodeFor(signal) : summary.bad > 0 ? EXIT.deadLettered : EXIT.ok;
    return { summary, exitCode };
  });
}
