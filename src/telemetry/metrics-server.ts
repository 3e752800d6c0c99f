import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Counters, TelemetryBus } from '../core/telemetry-bus.js';

/** Prometheus `/metrics` for a long-running job: the bus counters and a histogram of commit latency. */
export class MetricsServer {
  private readonly registry = new Registry();
  private readonly commitSeconds: Histogram;
  private server: Server | undefined;

  constructor(
    bus: TelemetryBus,
    private readonly port: number,
    private readonly host = '127.0.0.1',
  ) {
    const counters: Array<[string, string, keyof Counters]> = [
      ['sluice_records_read_total', 'Records decoded from the input.', 'read'],
      ['sluice_rows_written_total', 'Rows the sink stored.', 'written'],
      ['sluice_duplicates_total', 'Rows the sink already had.', 'duplicates'],
      ['sluice_bad_records_total', 'Records sent to the dead-letter file.', 'bad'],
      ['sluice_sink_retries_total', 'Times the sink was lost (database restart, dropped connection) and reconnected.', 'sinkRetries'],
    ];
    for (const [name, help, key] of counters) {
      let reported = 0;
      new Counter({
        name,
        help,
        registers: [this.registry],
        // Read at scrape time, so the hot path pays nothing; counters only go up by what the bus gained.
        collect() {
          const now = bus.snapshot().counters[key];
          this.inc(Math.max(0, now - reported));
          reported = now;
        },
      });
    }
    new Gauge({
      name: 'sluice_lag_bytes',
      help: 'Bytes written to the followed files and not read yet.',
      registers: [this.registry],
      collect() {
        this.set(bus.snapshot().counters.lagBytes);
      },
    });
    this.commitSeconds = new Histogram({
      name: 'sluice_commit_seconds',
      help: 'Time to commit one batch (rows, cursors and dead-letter mark).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [this.registry],
    });
  }

  /** Records one commit's duration. */
  observeCommit(durationMs: number): void {
    this.commitSeconds.observe(durationMs / 1000);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('see /metrics\n');
        return;
      }
      this.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text))
        .catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.port, this.host, () => resolve());
    });
  }

  /** The port it listens on (the one the system chose when constructed with port 0); undefined before `start()`. */
  get listeningPort(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
