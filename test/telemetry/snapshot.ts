import type { Counters, TelemetrySnapshot } from '../../src/core/telemetry-bus.js';

const ZERO: Counters = {
  read: 0,
  written: 0,
  duplicates: 0,
  bad: 0,
  skipped: 0,
  warnings: 0,
  unitsDone: 0,
  unitsRead: 0,
  unitsSkipped: 0,
  bytesDone: 0,
  bytesTotal: 0,
  lagBytes: 0,
  sinkRetries: 0,
};

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
    counters: { ...ZERO, ...counters },
    ...extra,
  };
}
