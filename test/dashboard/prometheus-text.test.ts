import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../src/dashboard/prometheus-text.js';

describe('parsePrometheusText', () => {
  it('reads what prom-client exposes: counters, gauges, labelled samples summed, buckets skipped', async () => {
    const registry = new Registry();
    new Counter({ name: 'sluice_rows_written_total', help: 'rows', registers: [registry] }).inc(1234);
    new Gauge({ name: 'sluice_lag_bytes', help: 'lag', registers: [registry] }).set(42.5);
    const byUnit = new Counter({ name: 'units_total', help: 'units', labelNames: ['status'], registers: [registry] });
    byUnit.inc({ status: 'done' }, 3);
    byUnit.inc({ status: 'failed' }, 1);
    new Histogram({ name: 'sluice_commit_seconds', help: 'commit', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
    const parsed = parsePrometheusText(await registry.metrics());
    expect(parsed).toMatchObject({ sluice_rows_written_total: 1234, sluice_lag_bytes: 42.5, units_total: 4, sluice_commit_seconds_count: 1 });
    expect(parsed).not.toHaveProperty('sluice_commit_seconds_bucket');
  });
});
