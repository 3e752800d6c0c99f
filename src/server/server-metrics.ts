import { Counter, Histogram, Registry } from 'prom-client';
import type { TelemetryBus } from '../core/telemetry-bus.js';

/** Prometheus metrics of the upload service, served at `/metrics`. */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly uploads: Counter<'result'>;
  private readonly bytes: Counter;
  private readonly duration: Histogram;
  private readonly rejections: Counter<'reason'>;

  /** `bus`: the run's telemetry (status file): stored uploads count as written, replays as duplicates, errors as bad. */
  constructor(private readonly bus?: TelemetryBus) {
    this.uploads = new Counter({
      name: 'sluice_ldo_uploads_total',
      help: 'LDO uploads answered with success, by result (ingested, replayed).',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.bytes = new Counter({ name: 'sluice_ldo_upload_bytes_total', help: 'Video bytes stored.', registers: [this.registry] });
    this.duration = new Histogram({
      name: 'sluice_ldo_upload_duration_seconds',
      help: 'Time from the request to the answer of a successful upload.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    this.rejections = new Counter({
      name: 'sluice_ldo_rejections_total',
      help: 'Requests answered with an error, by reason (the error code).',
      labelNames: ['reason'],
      registers: [this.registry],
    });
  }

  /** Records one successful upload. */
  uploaded(replayed: boolean, bytes: number, seconds: number): void {
    this.uploads.inc({ result: replayed ? 'replayed' : 'ingested' });
    if (!replayed) this.bytes.inc(bytes);
    this.duration.observe(seconds);
    this.bus?.add(replayed ? 'duplicates' : 'written', 1);
  }

  /** Records one error answer. */
  rejected(reason: string): void {
    this.rejections.inc({ reason });
    this.bus?.add('bad', 1);
  }
}
