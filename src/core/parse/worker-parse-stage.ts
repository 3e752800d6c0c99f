import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SluiceError } from '../errors.js';
import type { ParseMessage, ParseOptions, UnitPlan } from './parse-messages.js';

/** Chunks the parser thread may have sent ahead of the writer. */
const MAX_IN_FLIGHT = 4;

// Short-lived strings dominate the parser thread; a small young generation keeps its RSS flat.
const YOUNG_GENERATION_MB = 8;
const OLD_GENERATION_MB = 256;

type WorkerMessage = ParseMessage | { kind: 'done' } | { kind: 'fatal'; message: string };

/**
 * Runs the parse stage in a worker thread (JSON parsing is the hot path; the SQLite writer keeps the
 * main thread) and hands its messages out as an async iterable. Each message taken acknowledges one,
 * so the thread never runs more than MAX_IN_FLIGHT chunks ahead. `close()` stops the thread; chunks
 * not yet taken are dropped, which is safe because their cursor was never committed.
 */
export class WorkerParseStage implements AsyncIterable<ParseMessage> {
  private readonly worker: Worker;
  private readonly queue: WorkerMessage[] = [];
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private finished = false;

  constructor(plans: readonly UnitPlan[], options: ParseOptions, maxInFlight = MAX_IN_FLIGHT) {
    this.worker = new Worker(workerScript(), {
      workerData: { plans, options, maxInFlight },
      // Its live heap is small (a few chunks); a ceiling makes it collect instead of growing, which
      // matters when two parsers run beside the writer (spool of SQLite units).
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: OLD_GENERATION_MB },
    });
    // The writer awaits its messages; the thread itself must never keep a failed run's process alive.
    this.worker.unref();
    this.worker.on('message', (m: WorkerMessage) => this.arrive(m));
    this.worker.on('error', (err) => {
      this.failure = new SluiceError('SLUICE_E_WORKER', `parser thread failed: ${err.message}`, { cause: err });
      this.arrive(undefined);
    });
    this.worker.on('exit', () => {
      this.finished = true;
      this.arrive(undefined);
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ParseMessage> {
    for (;;) {
      const msg = this.queue.shift();
      if (msg === undefined) {
        if (this.failure) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.waiting = resolve));
        continue;
      }
      if (msg.kind === 'done') return;
      if (msg.kind === 'fatal') throw new SluiceError('SLUICE_E_WORKER', `parser thread failed: ${msg.message}`);
      this.worker.postMessage('ack');
      yield msg;
    }
  }

  /** Stops the parser thread. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private arrive(m: WorkerMessage | undefined): void {
    if (m !== undefined) this.queue.push(m);
    this.waiting?.();
    this.waiting = undefined;
  }
}

/** The compiled worker file; under a TypeScript test runner the sources map onto `dist/`. */
function workerScript(): URL {
  const here = new URL('./parse-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = fileURLToPath(here).replace(/([\\/])src([\\/])core([\\/])parse([\\/])parse-worker\.js$/, '$1dist$2core$3parse$4parse-worker.js');
  return new URL(`file://${built}`);
}
