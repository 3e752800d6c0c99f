import type { DeadLetterFile } from '../core/dead-letter-file.js';
import type { Sink } from '../core/sink.js';
import type { TelemetryBus } from '../core/telemetry-bus.js';

/** First wait after a lost sink; doubled per failed attempt up to the cap. */
const FIRST_WAIT_MS = 500;
const MAX_WAIT_MS = 30_000;

/**
 * How a service survives its sink: a lost connection or a restarting server (the sink's own
 * `isTransient`) is logged, counted (`sinkRetries`) and waited out with back-off; then the sink is
 * opened again and the dead-letter file cut back to its committed mark, and the job starts its source
 * afresh from the committed cursors. Only services (`onSignal: 'service'`) with a source factory do
 * this; a once-run fails (exit 1) and is simply run again.
 */
export class SinkReconnect {
  private attempt = 0;

  constructor(
    private readonly spec: { job: string; sink: Sink; onSignal: string; source: unknown },
    private readonly bus: TelemetryBus,
    private readonly stop: AbortSignal,
  ) {}

  /** Whether this failure is one to wait out. */
  worthIt(err: unknown): boolean {
    const { sink, onSignal, source } = this.spec;
    return onSignal === 'service' && typeof source === 'function' && !this.stop.aborted && sink.isTransient?.(err) === true;
  }

  /**
   * Waits until the sink opens again; false when a stop was asked for meanwhile. Each failed
   * attempt is logged and doubles the wait.
   */
  async wait(cause: unknown, deadLetter: DeadLetterFile | undefined): Promise<boolean> {
    const { sink, job } = this.spec;
    let reason = cause;
    for (;;) {
      this.attempt += 1;
      const waitMs = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(this.attempt - 1, 16));
      process.stderr.write(
        `sluice ${job}: lost ${sink.description}: ${messageOf(reason)}; retrying in ${(waitMs / 1000).toFixed(1)} s (attempt ${this.attempt})\n`,
      );
      this.bus.add('sinkRetries', 1);
      if (!(await sleep(waitMs, this.stop))) return false;
      try {
        await sink.rollback();
        await sink.open();
        if (deadLetter) {
          deadLetter.discardPending();
          deadLetter.close();
          deadLetter.open(await sink.readCursor(deadLetter.cursorKey));
        }
        process.stderr.write(`sluice ${job}: ${sink.description} is back; going on from the committed cursors\n`);
        this.attempt = 0;
        return true;
      } catch (err) {
        if (sink.isTransient?.(err) !== true) throw err;
        reason = err;
      }
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err);
}

/** Sleeps `ms`; false when `stop` fired first. */
function sleep(ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
