/** Counters every job keeps; renderers read them from snapshots. */
export interface Counters {
  /** Records decoded (good ones, before mapping). */
  read: number;
  /** Rows the sink stored. */
  written: number;
  /** Rows the sink already had. */
  duplicates: number;
  /** Records sent to the dead-letter file. */
  bad: number;
  /** Records left out on purpose (filters, blank lines). */
  skipped: number;
  /** Records stored with a part left out (a bad vector), each logged. */
  warnings: number;
  /** Units finished, and units skipped because their cursor said they were done. */
  unitsDone: number;
  unitsSkipped: number;
  /** Units read from, finished or not (a followed file being tailed counts). */
  unitsRead: number;
  /** Raw bytes read of all units, and their total when known. */
  bytesDone: number;
  bytesTotal: number;
  /** Bytes written to followed files but not read yet. */
  lagBytes: number;
  /** Times a service lost its sink (a database restart, a dropped connection) and reconnected. */
  sinkRetries: number;
}

/** A moment of a job, as every renderer sees it. */
export interface TelemetrySnapshot {
  job: string;
  phase: string;
  unit: string | undefined;
  startedAt: Date;
  now: Date;
  elapsedSec: number;
  counters: Readonly<Counters>;
}

/** Every counter at zero: a new job's counts. */
export function zeroCounters(): Counters {
  return {
    read: 0,
    written: 0,
    duplicates: 0,
    bad: 0,
    skipped: 0,
    warnings: 0,
    unitsDone: 0,
    unitsSkipped: 0,
    unitsRead: 0,
    bytesDone: 0,
    bytesTotal: 0,
    lagBytes: 0,
    sinkRetries: 0,
  };
}

export type TelemetryListener = (event: 'phase' | 'end', snapshot: TelemetrySnapshot) => void;

/**
 * The one in-process bus of a job: counters and the current phase. Stages add to counters; the
 * progress bar, the status file and the summary subscribe or take snapshots, so every job reports
 * the same way.
 */
export class TelemetryBus {
  private readonly counters: Counters = zeroCounters();
  private readonly listeners: TelemetryListener[] = [];
  private phase = 'starting';
  private unit: string | undefined;
  readonly startedAt = new Date();

  constructor(readonly job: string) {}

  /** Adds to a counter. */
  add(counter: keyof Counters, n: number): void {
    this.counters[counter] += n;
  }

  /** Sets a counter (for totals and positions). */
  set(counter: keyof Counters, n: number): void {
    this.counters[counter] = n;
  }

  /** Enters a phase (`planning`, `ingesting`, `committing`, `done`, `interrupted`, `failed`). */
  setPhase(phase: string): void {
    this.phase = phase;
    this.notify('phase');
  }

  /** Names the unit being read. */
  setUnit(unit: string | undefined): void {
    this.unit = unit;
  }

  /** Tells subscribers the job is over. */
  end(phase: string): void {
    this.phase = phase;
    this.notify('end');
  }

  subscribe(listener: TelemetryListener): void {
    this.listeners.push(listener);
  }

  snapshot(): TelemetrySnapshot {
    const now = new Date();
    return {
      job: this.job,
      phase: this.phase,
      unit: this.unit,
      startedAt: this.startedAt,
      now,
      elapsedSec: (now.getTime() - this.startedAt.getTime()) / 1000,
      counters: { ...this.counters },
    };
  }

  private notify(event: 'phase' | 'end'): void {
    const snap = this.snapshot();
    for (const l of this.listeners) l(event, snap);
  }
}
