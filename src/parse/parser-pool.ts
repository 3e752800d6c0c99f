import type { UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';
import { ParserThread, type ParseJob } from './parser-thread.js';

/**
 * Parser threads kept from job to job: a job goes to an idle thread, and a thread is started only
 * when none is idle (so the pool grows to the number of jobs that run at once: one in a spool, where
 * the next unit is given to the thread once it is done with this one).
 */
export class ParserPool {
  private threads: ParserThread[] = [];

  /** Runs a parse job on an idle thread (see `ParserThread.run`; `fed`: the unit's bytes come by `ParseJob.feed`). */
  run(plans: readonly UnitPlan[], options: ParseOptions, maxInFlight: number, fed = false): ParseJob {
    this.threads = this.threads.filter((t) => t.usable);
    let thread = this.threads.find((t) => !t.busy);
    if (!thread) {
      thread = new ParserThread();
      this.threads.push(thread);
    }
    return thread.run(plans, options, maxInFlight, fed);
  }

  /** Threads started and still usable. */
  get size(): number {
    return this.threads.filter((t) => t.usable).length;
  }

  /** Stops every thread (jobs still running end as cancelled). */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
