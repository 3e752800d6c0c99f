import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ratesOf } from './rates.js';
import type { TelemetryBus, TelemetrySnapshot } from '../core/telemetry-bus.js';

/** The status JSON of ARCHITECTURE.md, as `sluice status` and monitoring read it. */
export interface StatusDocument {
  job: string;
  pid: number;
  phase: string;
  unit: string | null;
  started_at: string;
  updated_at: string;
  elapsed_s: number;
  progress: { unit: 'bytes'; current: number; total: number | null; percent: number | null; rate_per_sec: number };
  eta_s: number | null;
  /** Follow mode: bytes written to the followed files and not read yet. */
  lag_bytes: number;
  rss_bytes: number;
  counts: {
    read: number;
    written: number;
    duplicates: number;
    bad: number;
    skipped: number;
    units_done: number;
    units_skipped: number;
    /** Times the sink was lost and reconnected (services). */
    sink_retries: number;
    rows_per_sec: number;
  };
}

export function statusDocument(s: TelemetrySnapshot): StatusDocument {
  const r = ratesOf(s);
  const c = s.counters;
  return {
    job: s.job,
    pid: process.pid,
    phase: s.phase,
    unit: s.unit ?? null,
    started_at: s.startedAt.toISOString(),
    updated_at: s.now.toISOString(),
    elapsed_s: round(s.elapsedSec),
    progress: {
      unit: 'bytes',
      current: c.bytesDone,
      total: c.bytesTotal > 0 ? c.bytesTotal : null,
      percent: r.percent === null ? null : round(r.percent),
      rate_per_sec: Math.round(r.bytesPerSec),
    },
    eta_s: r.etaSec === null ? null : round(r.etaSec),
    lag_bytes: c.lagBytes,
    rss_bytes: process.memoryUsage.rss(),
    counts: {
      read: c.read,
      written: c.written,
      duplicates: c.duplicates,
      bad: c.bad,
      skipped: c.skipped,
      units_done: c.unitsDone,
      units_skipped: c.unitsSkipped,
      sink_retries: c.sinkRetries,
      rows_per_sec: Math.round(r.rowsPerSec),
    },
  };
}

/**
 * Keeps `--status-file` current: rewritten every `intervalMs` and on every phase change, through a
 * temp file and a rename so a reader never sees half a document.
 */
export class StatusFileWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly bus: TelemetryBus,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.write(this.bus.snapshot());
    this.bus.subscribe((_event, snap) => this.write(snap));
    this.timer = setInterval(() => this.write(this.bus.snapshot()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.write(this.bus.snapshot());
  }

  private write(s: TelemetrySnapshot): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(statusDocument(s), null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
