import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';
import { ParserThread, type ParseJob } from './parser-thread.js';

/** Chunks the parser thread may have sent ahead of the writer. */
const MAX_IN_FLIGHT = 4;

/**
 * Runs the parse stage of `plans` in a parser thread of its own and hands its messages out as an
 * async iterable (see `ParseJob`). `close()` stops the thread; chunks not yet taken are dropped,
 * which is safe because their cursor was never committed.
 */
export class WorkerParseStage implements AsyncIterable<ParseMessage> {
  private readonly thread = new ParserThread();
  private readonly job: ParseJob;

  constructor(plans: readonly UnitPlan[], options: ParseOptions, maxInFlight = MAX_IN_FLIGHT) {
    this.job = this.thread.run(plans, options, maxInFlight);
  }

  [Symbol.asyncIterator](): AsyncIterator<ParseMessage> {
    return this.job[Symbol.asyncIterator]();
  }

  /** Stops the parser thread. */
  async close(): Promise<void> {
    await this.thread.terminate();
  }
}
