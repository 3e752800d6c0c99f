import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TelemetryBus } from '../../src/core/telemetry-bus.js';
import { statusDocument, StatusFileWriter, type StatusDocument } from '../../src/telemetry/status-file.js';
import { tempDir } from '../helpers/cli.js';
import { snapshotOf } from './snapshot.js';

describe('status file', () => {
  it('maps a snapshot onto the documented document', () => {
    const doc = statusDocument(snapshotOf({ read: 50, written: 40, duplicates: 10, bad: 1, bytesDone: 300, bytesTotal: 1200, lagBytes: 7, sinkRetries: 2 }, 3, { unit: 'a.ndjson' }));
    expect(doc).toMatchObject({
      job: 'ingest',
      pid: process.pid,
      phase: 'ingesting',
      unit: 'a.ndjson',
      started_at: '2025-04-01T00:00:00.000Z',
      updated_at: '2025-04-01T00:00:03.000Z',
      elapsed_s: 3,
      progress: { unit: 'bytes', current: 300, total: 1200, percent: 25, rate_per_sec: 100 },
      eta_s: 9,
      lag_bytes: 7,
      counts: { read: 50, written: 40, duplicates: 10, bad: 1, skipped: 0, units_done: 0, units_skipped: 0, sink_retries: 2, rows_per_sec: 17 },
    });
    expect(statusDocument(snapshotOf({}, 1))).toMatchObject({ unit: null, progress: { total: null, percent: null }, eta_s: null });
  });

  it('is written at start, on each phase change and at stop, whole each time (temp file and rename)', () => {
    const path = join(tempDir('sluice-status-'), 'deep', 'status.json');
    const bus = new TelemetryBus('spool');
    const writer = new StatusFileWriter(path, bus, 60_000);
    const read = (): StatusDocument => JSON.parse(readFileSync(path, 'utf8')) as StatusDocument;
    writer.start();
    expect(read()).toMatchObject({ job: 'spool', phase: 'starting' });
    bus.add('written', 5);
    bus.setPhase('ingesting');
    expect(read()).toMatchObject({ phase: 'ingesting', counts: { written: 5 } });
    bus.add('written', 1);
    writer.stop();
    expect(read().counts.written).toBe(6);
  });
});
