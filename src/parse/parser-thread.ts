import { Worker } from 'node:worker_threads';
import { SluiceError } from '../core/errors.js';
import { workerScript } from '../core/worker-script.js';
import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';
import type { FromParserThread, JobMessage, ToParserThread } from './parser-thread-protocol.js';

// Short-lived strings dominate a parser thread; a small young generation keeps its RSS flat. 16 MB,
// not 8: a JSON-array unit (app logs) then spends about a tenth less CPU in scavenges, for about 6 MB more.
const YOUNG_GENERATION_MB = 16;
const OLD_GENERATION_MB = 256;

/**
 * A parser thread (JSON, vectors and row encoding are the hot path; the writer keeps the main
 * thread) that runs parse jobs one after another. Starting a thread costs little, but warming it up
 * costs a lot: every thread compiles and optimizes the parser afresh, so a spool of many units keeps
 * its threads instead of starting one per unit.
 */
export class ParserThread {
  private readonly worker: Worker;
  private job: ParseJob | undefined;
  private nextJob = 1;
  private failure: Error | undefined;
  /** `terminate()` was called: the exit that follows is ours, not a crash. */
  private stopping = false;

  constructor() {
    this.worker = new Worker(workerScript('./parse-worker.js', import.meta.url), {
      // Its live heap is small (a few chunks); a ceiling makes it collect instead of growing, which
      // matters when parsers run beside the writer (spool of SQLite units).
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: OLD_GENERATION_MB },
    });
    // The writer awaits its messages; the thread itself must never keep a failed run's process alive.
    this.worker.unref();
    this.worker.on('message', (m: FromParserThread) => {
      if (m.job === this.job?.id) this.job.arrive(m.msg);
    });
    this.worker.on('error', (err) => this.fail(new SluiceError('SLUICE_E_WORKER', `parser thread failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', () => this.fail(undefined));
  }

  /** True while a job runs (until it is done, or closed and acknowledged by the thread). */
  get busy(): boolean {
    return this.job !== undefined;
  }

  /** False once the thread died or was terminated. */
  get usable(): boolean {
    return this.failure === undefined;
  }

  /**
   * Starts parsing `plans`; the thread must not be busy. A `fed` job reads its one unit (a plan
   * without a path) from bytes handed to `ParseJob.feed`.
   */
  run(plans: readonly UnitPlan[], options: ParseOptions, maxInFlight: number, fed = false): ParseJob {
    if (this.job) throw new Error('ParserThread.run while a job runs');
    const id = this.nextJob++;
    const job = new ParseJob(id, (m) => this.send(m), () => {
      if (this.job === job) this.job = undefined;
    });
    this.job = job;
    if (this.failure) job.arrive(undefined, this.failure);
    else this.send({ kind: 'run', job: id, plans: [...plans], options, maxInFlight, ...(fed ? { fed } : {}) });
    return job;
  }

  /** Stops the thread; a job still running ends as cancelled (its cursor was never committed). */
  async terminate(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
  }

  private send(m: ToParserThread): void {
    if (!this.failure) this.worker.postMessage(m);
  }

  /**
   * The thread failed (`err`) or exited. An exit we did not ask for, with a job running, is a crash:
   * the job ends with SLUICE_E_WORKER, never as if its unit were complete.
   */
  private fail(err: Error | undefined): void {
    const unasked = err === undefined && !this.stopping ? new SluiceError('SLUICE_E_WORKER', 'parser thread exited in the middle of a unit') : undefined;
    this.failure ??= err ?? unasked ?? new SluiceError('SLUICE_E_WORKER', 'parser thread stopped');
    this.job?.arrive(undefined, err ?? unasked);
  }
}

/**
 * The messages of one job as an async iterable. Each message taken acknowledges one, so the thread
 * never runs more than `maxInFlight` chunks ahead. `close()` cancels what is left; chunks not yet
 * taken are dropped, which is safe because their cursor was never committed.
 */
export class ParseJob implements AsyncIterable<ParseMessage> {
  private readonly queue: JobMessage[] = [];
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  /** The thread has said `done` or `fatal`, or died. */
  private ended = false;
  private endedSignal: (() => void) | undefined;
  private readonly endedPromise = new Promise<void>((resolve) => (this.endedSignal = resolve));
  /** Fed chunks the thread has not taken yet, and who waits for one to be taken. */
  private feeding = 0;
  private fedSignal: (() => void) | undefined;

  constructor(
    readonly id: number,
    private readonly send: (m: ToParserThread) => void,
    private readonly release: () => void,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<ParseMessage> {
    for (;;) {
      const msg = this.queue.shift();
      if (msg === undefined) {
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.waiting = resolve));
        continue;
      }
      if (msg.kind === 'done') return;
      if (msg.kind === 'fed') continue; // never queued (see `arrive`)
      if (msg.kind === 'fatal') throw msg.code ? new SluiceError(msg.code, msg.message) : new SluiceError('SLUICE_E_WORKER', `parser thread failed: ${msg.message}`);
      this.send({ kind: 'ack', job: this.id });
      yield msg;
    }
  }

  /**
   * Sends the bytes of the job's unit to the thread as it takes them (at most `ahead` chunks not yet
   * taken, so memory stays flat), then their end; a stored stream that fails ends them with its error,
   * which the thread reports as the unit's error. Stops early when the job ended (a cancel).
   */
  async feed(bytes: () => Promise<AsyncIterable<Buffer>>, ahead = 4): Promise<void> {
    try {
      for await (const chunk of await bytes()) {
        while (this.feeding >= ahead && !this.ended) await new Promise<void>((resolve) => (this.fedSignal = resolve));
        if (this.ended) return;
        this.feeding += 1;
        this.send({ kind: 'feed', job: this.id, chunk });
      }
      this.send({ kind: 'feed', job: this.id, chunk: null });
    } catch (err) {
      this.send({ kind: 'feed-error', job: this.id, message: (err as Error).message });
    }
  }

  /** Settles once the thread is done with the job (all its messages sent, or it failed or was cancelled). */
  get parsed(): Promise<void> {
    return this.endedPromise;
  }

  /** Cancels the job if it still runs and waits until the thread has let go of it. */
  async close(): Promise<void> {
    if (!this.ended) {
      this.send({ kind: 'cancel', job: this.id });
      await this.endedPromise;
    }
    this.queue.length = 0;
  }

  /** A message of this job, or (undefined) the thread's end with `failure` if it died. */
  arrive(m: JobMessage | undefined, failure?: Error): void {
    if (m?.kind === 'fed') {
      this.feeding -= 1;
      this.fedSignal?.();
      this.fedSignal = undefined;
      return;
    }
    if (m !== undefined) this.queue.push(m);
    if (m === undefined || m.kind === 'done' || m.kind === 'fatal') {
      if (m === undefined) this.failure ??= failure;
      this.ended = true;
      this.release();
      this.endedSignal?.();
      this.fedSignal?.();
    }
    this.waiting?.();
    this.waiting = undefined;
  }
}
