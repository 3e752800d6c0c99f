import type { TelemetrySnapshot } from '../core/telemetry-bus.js';

/** Derived figures shared by every renderer, so the bar, the status file and the summary agree. */
export interface Rates {
  rowsPerSec: number;
  bytesPerSec: number;
  percent: number | null;
  etaSec: number | null;
}

export function ratesOf(s: TelemetrySnapshot): Rates {
  const c = s.counters;
  const elapsed = Math.max(s.elapsedSec, 0.001);
  const rows = c.written + c.duplicates;
  const bytesPerSec = c.bytesDone / elapsed;
  const percent = c.bytesTotal > 0 ? Math.min(100, (100 * c.bytesDone) / c.bytesTotal) : null;
  const etaSec = c.bytesTotal > 0 && bytesPerSec > 0 ? Math.max(0, (c.bytesTotal - c.bytesDone) / bytesPerSec) : null;
  return { rowsPerSec: rows / elapsed, bytesPerSec, percent, etaSec };
}

/** `1h02m05s`, `3m07s`, `42s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** `12.3 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
