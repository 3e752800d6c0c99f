import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TelemetryBus } from '../../src/core/telemetry-bus.js';
import { ProgressRenderer } from '../../src/telemetry/progress-renderer.js';

/** A stderr stand-in that records what is written; a TTY of `columns` when given. */
function sink(columns?: number): Writable & { text: string; isTTY?: boolean; columns?: number } {
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string; isTTY?: boolean; columns?: number };
  out.text = '';
  if (columns !== undefined) {
    out.isTTY = true;
    out.columns = columns;
  }
  return out;
}

describe('progress renderer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-04-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('off a TTY: one plain line every logEverySec, with the counts a journal needs', () => {
    const bus = new TelemetryBus('follow');
    const out = sink();
    const r = new ProgressRenderer(bus, out as unknown as NodeJS.WriteStream, 5);
    r.start();
    bus.setPhase('ingesting');
    bus.setUnit('bridge.ndjson');
    bus.add('read', 100);
    bus.add('written', 90);
    bus.add('duplicates', 10);
    bus.set('bytesTotal', 1000);
    bus.set('bytesDone', 500);
    vi.advanceTimersByTime(4_999);
    expect(out.text).toBe('');
    vi.advanceTimersByTime(1);
    expect(out.text).toBe('sluice follow: ingesting 50.0% read=100 written=90 duplicates=10 bad=0 rows/s=20 eta=5s unit=bridge.ndjson\n');
    vi.advanceTimersByTime(5_000);
    expect(out.text.split('\n').filter((l) => l !== '')).toHaveLength(2);
    r.stop();
    vi.advanceTimersByTime(20_000);
    expect(out.text.split('\n').filter((l) => l !== '')).toHaveLength(2);
  });

  it('on a TTY: a bar redrawn in place within the terminal width, wiped at stop', () => {
    const bus = new TelemetryBus('ingest');
    const out = sink(80);
    const r = new ProgressRenderer(bus, out as unknown as NodeJS.WriteStream);
    r.start();
    bus.set('bytesTotal', 4 * 1024 * 1024);
    bus.set('bytesDone', 1024 * 1024);
    bus.add('written', 400);
    bus.add('bad', 3);
    vi.advanceTimersByTime(200);
    const frames = out.text.split('\r\x1b[2K').filter((f) => f !== '');
    expect(frames).toHaveLength(1);
    const bar = frames[0] ?? '';
    expect(bar).toMatch(/^\[#+\.+\] {2}25% 1\.0 MB\/4\.0 MB 2,000 rows\/s ETA 1s bad 3$/);
    expect(bar.length).toBeLessThanOrEqual(80);
    r.stop();
    expect(out.text.endsWith('\r\x1b[2K')).toBe(true);
  });
});
