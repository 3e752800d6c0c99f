import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { TelemetryBus } from '../../src/core/telemetry-bus.js';
import { MetricsServer } from '../../src/telemetry/metrics-server.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(bus: TelemetryBus): Promise<{ metrics: MetricsServer; port: number }> {
  const metrics = new MetricsServer(bus, 0);
  server = metrics;
  await metrics.start();
  const port = metrics.listeningPort;
  if (port === undefined) throw new Error('not listening');
  return { metrics, port };
}

/** A real HTTP GET: status, content type and body. */
function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    })
      .on('error', reject)
      .end();
  });
}

/**
 * The samples of a Prometheus text exposition (format 0.0.4), read by the format's own rules, not by
 * prom-client: `name{labels} value` lines; `# HELP` / `# TYPE` lines give each family's type.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Map<string, number> } {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1] ?? '', type[2] ?? '');
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^(\S+?(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    samples.set(sample[1] ?? '', Number(sample[2]));
  }
  return { types, samples };
}

describe('MetricsServer: Prometheus /metrics over real HTTP', () => {
  it('serves the bus counters, the lag gauge and the commit histogram in the text format', async () => {
    const bus = new TelemetryBus('ingest');
    bus.add('read', 120);
    bus.add('written', 100);
    bus.add('duplicates', 15);
    bus.add('bad', 5);
    bus.add('sinkRetries', 2);
    bus.set('lagBytes', 4096);
    const { metrics, port } = await start(bus);
    metrics.observeCommit(3); // 0.003 s: in the 0.005 bucket and above
    metrics.observeCommit(200); // 0.2 s

    const res = await get(port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseExposition(res.body);
    expect(types.get('sluice_records_read_total')).toBe('counter');
    expect(types.get('sluice_lag_bytes')).toBe('gauge');
    expect(types.get('sluice_commit_seconds')).toBe('histogram');
    expect(samples.get('sluice_records_read_total')).toBe(120);
    expect(samples.get('sluice_rows_written_total')).toBe(100);
    expect(samples.get('sluice_duplicates_total')).toBe(15);
    expect(samples.get('sluice_bad_records_total')).toBe(5);
    expect(samples.get('sluice_sink_retries_total')).toBe(2);
    expect(samples.get('sluice_lag_bytes')).toBe(4096);
    expect(samples.get('sluice_commit_seconds_count')).toBe(2);
    expect(samples.get('sluice_commit_seconds_sum')).toBeCloseTo(0.203, 6);
    expect(samples.get('sluice_commit_seconds_bucket{le="0.0025"}')).toBe(0);
    expect(samples.get('sluice_commit_seconds_bucket{le="0.005"}')).toBe(1);
    expect(samples.get('sluice_commit_seconds_bucket{le="0.1"}')).toBe(1);
    expect(samples.get('sluice_commit_seconds_bucket{le="0.25"}')).toBe(2);
    expect(samples.get('sluice_commit_seconds_bucket{le="+Inf"}')).toBe(2);
  });

  it('counters follow the bus between scrapes and never double-count; the gauge goes down as well as up', async () => {
    const bus = new TelemetryBus('follow');
    bus.add('read', 10);
    bus.set('lagBytes', 500);
    const { port } = await start(bus);
    const first = parseExposition((await get(port, '/metrics')).body).samples;
    expect(first.get('sluice_records_read_total')).toBe(10);
    const again = parseExposition((await get(port, '/metrics')).body).samples;
    expect(again.get('sluice_records_read_total')).toBe(10); // a scrape with no new reads adds nothing
    bus.add('read', 7);
    bus.set('lagBytes', 20);
    const later = parseExposition((await get(port, '/metrics')).body).samples;
    expect(later.get('sluice_records_read_total')).toBe(17);
    expect(later.get('sluice_lag_bytes')).toBe(20);
  });

  it('any other path is a 404 pointing at /metrics', async () => {
    const { port } = await start(new TelemetryBus('spool'));
    const res = await get(port, '/');
    expect(res.status).toBe(404);
    expect(res.body).toContain('/metrics');
  });

  it('a port already taken: start() rejects with EADDRINUSE (it never listens silently elsewhere)', async () => {
    const { port } = await start(new TelemetryBus('spool'));
    const second = new MetricsServer(new TelemetryBus('spool'), port);
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('stop() closes the port: a later request is refused', async () => {
    const { metrics, port } = await start(new TelemetryBus('spool'));
    await metrics.stop();
    server = undefined;
    await expect(get(port, '/metrics')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
