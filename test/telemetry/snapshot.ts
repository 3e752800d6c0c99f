import { zeroCounters, type Counters, type TelemetrySnapshot } from '../../src/core/telemetry-bus.js';


/** A snapshot `elapsedSec` into a job started at 2025-04-01T00:00:00Z, with the given counters. */
export function snapshotOf(counters: Partial<Counters>, elapsedSec: number, extra: Partial<TelemetrySnapshot> = {}): TelemetrySnapshot {
  const startedAt = new Date('2025-04-01T00:00:00.000Z');
  return {
    job: 'ingest',
    phase: 'ingesting',
    unit: undefined,
    startedAt,
    now: new Date(startedAt.getTime() + elapsedSec * 1000),
    elapsedSec,
    counters: { ...zeroCounters(), ...counters },
    ...extra,
  };
}
