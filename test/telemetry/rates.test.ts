import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, ratesOf } from '../../src/telemetry/rates.js';
import { snapshotOf } from './snapshot.js';

describe('rates', () => {
  it('rows/s counts written and duplicates; percent and ETA come from bytes, when the total is known', () => {
    const r = ratesOf(snapshotOf({ written: 900, duplicates: 100, bytesDone: 250, bytesTotal: 1000 }, 10));
    expect(r).toEqual({ rowsPerSec: 100, bytesPerSec: 25, percent: 25, etaSec: 30 });
  });

  it('no total: no percent and no ETA; no time yet: no division by zero', () => {
    expect(ratesOf(snapshotOf({ bytesDone: 500 }, 5))).toMatchObject({ percent: null, etaSec: null, bytesPerSec: 100 });
    const r = ratesOf(snapshotOf({ written: 1 }, 0));
    expect(Number.isFinite(r.rowsPerSec)).toBe(true);
  });

  it('never reports more than 100 % or a negative ETA when more bytes were read than announced', () => {
    expect(ratesOf(snapshotOf({ bytesDone: 1200, bytesTotal: 1000 }, 2))).toMatchObject({ percent: 100, etaSec: 0 });
  });

  it('formats durations and sizes as the bar shows them', () => {
    expect([formatDuration(42), formatDuration(187), formatDuration(3725), formatDuration(0.4)]).toEqual(['42s', '3m07s', '1h02m05s', '0s']);
    expect([formatBytes(512), formatBytes(1536), formatBytes(12.3 * 1024 * 1024), formatBytes(5 * 1024 ** 4), formatBytes(3 * 1024 ** 5)]).toEqual([
      '512 B',
      '1.5 KB',
      '12.3 MB',
      '5.0 TB',
      '3072.0 TB',
    ]);
  });
});
