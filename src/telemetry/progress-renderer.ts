import { groupDigits } from './group-digits.js';
import { formatBytes, formatDuration, ratesOf } from './rates.js';
import type { TelemetryBus, TelemetrySnapshot } from '../core/telemetry-bus.js';

/**
 * Progress on stderr: on a TTY a bar redrawn in place (bytes done of total, rows/s, ETA); off a TTY
 * one plain log line every `logEverySec`, so a service's journal shows life without flooding.
 */
export class ProgressRenderer {
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly bus: TelemetryBus,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly logEverySec = 5,
  ) {}

  start(): void {
    const tty = this.out.isTTY === true;
    const every = tty ? 200 : this.logEverySec * 1000;
    this.timer = setInterval(() => this.render(tty), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.drawn) this.out.write('\r\x1b[2K');
  }

  private render(tty: boolean): void {
    const s = this.bus.snapshot();
    if (tty) {
      this.out.write(`\r\x1b[2K${barLine(s, this.out.columns ?? 100)}`);
      this.drawn = true;
    } else {
      this.out.write(`${logLine(s)}\n`);
    }
  }
}

function barLine(s: TelemetrySnapshot, columns: number): string {
  const r = ratesOf(s);
  const c = s.counters;
  const tail =
    ` ${formatBytes(c.bytesDone)}/${c.bytesTotal > 0 ? formatBytes(c.bytesTotal) : '?'}` +
    ` ${groupDigits(r.rowsPerSec)} rows/s` +
    (r.etaSec === null ? '' : ` ETA ${formatDuration(r.etaSec)}`) +
    (c.bad > 0 ? ` bad ${c.bad}` : '');
  const width = Math.max(10, Math.min(40, columns - tail.length - 8));
  const filled = r.percent === null ? 0 : Math.round((width * r.percent) / 100);
  const pct = r.percent === null ? '  ?%' : `${r.percent.toFixed(0).padStart(3)}%`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}${tail}`;
}

function logLine(s: TelemetrySnapshot): string {
  const r = ratesOf(s);
  const c = s.counters;
  return (
    `sluice ${s.job}: ${s.phase}` +
    (r.percent === null ? '' : ` ${r.percent.toFixed(1)}%`) +
    ` read=${c.read} written=${c.written} duplicates=${c.duplicates} bad=${c.bad}` +
    ` rows/s=${Math.round(r.rowsPerSec)}` +
    (r.etaSec === null ? '' : ` eta=${formatDuration(r.etaSec)}`) +
    (s.unit ? ` unit=${s.unit}` : '')
  );
}
