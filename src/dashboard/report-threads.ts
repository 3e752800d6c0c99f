import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SluiceError } from '../core/errors.js';
import { workerScript } from '../core/worker-script.js';
import type { ReportConfig } from '../reports/report-config.js';
import { openReportDatabase, parseReportTarget, type OpenReportDatabase } from '../reports/report-database.js';
import { PgReportPools } from '../reports/pg-report-pools.js';
import type { FromReportThread, ThreadFailure, ToReportThread } from './report-thread-protocol.js';
import { pageReportOf, runPageReport, runReportRows, type PageReport, type ReportRun } from './run-page-report.js';
import type { ReportRequest } from './report-request.js';

/** Threads at most: a page runs 6 to 10 reports, each reading its own copy of the pages it needs. */
const MAX_THREADS = 4;

interface Job {
  id: number;
  config: ReportConfig;
  resolve(run: ReportRun): void;
  reject(err: Error): void;
}

/** The same error the report raised in its thread (a usage error stays a 400 for the page). */
function raised(failure: ThreadFailure): Error {
  if (failure.code === undefined) return new Error(failure.message);
  return new SluiceError(failure.code, failure.message, { because: failure.because });
}

/** One report thread and the job it runs, if any. */
class ReportThread {
  job: Job | undefined;
  private readonly worker: Worker;

  constructor(onIdle: (thread: ReportThread) => void, onDeath: (thread: ReportThread) => void) {
    this.worker = new Worker(workerScript('./report-thread-worker.js', import.meta.url));
    // Idle threads never keep the dashboard's process alive; `close` ends them.
    this.worker.unref();
    this.worker.on('message', (m: FromReportThread) => {
      const job = this.job;
      if (job === undefined || job.id !== m.id) return;
      this.job = undefined;
      if ('run' in m) job.resolve(m.run);
      else job.reject(raised(m.failure));
      onIdle(this);
    });
    let dead = false;
    const died = (err: Error) => {
      if (dead) return; // 'error' is followed by 'exit'
      dead = true;
      const job = this.job;
      this.job = undefined;
      job?.reject(new SluiceError('SLUICE_E_REPORT', `report thread failed: ${err.message}`, { cause: err }));
      onDeath(this);
    };
    this.worker.on('error', died);
    this.worker.on('exit', (code) => died(new Error(`exited with code ${code}`)));
  }

  start(job: Job): void {
    this.job = job;
    this.worker.postMessage({ id: job.id, config: job.config } satisfies ToReportThread);
  }

  async stop(): Promise<void> {
    // A report still running when the dashboard closes is answered now, not left hanging.
    const job = this.job;
    this.job = undefined;
    job?.reject(new SluiceError('SLUICE_E_REPORT', 'the dashboard is closing'));
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => undefined);
    await this.worker.terminate();
  }
}

/**
 * Runs the reports of pages on SQLite databases in worker threads, as many at once as there are
 * threads (one per core, up to `MAX_THREADS`): a SQLite report holds its thread while it reads, so on
 * one thread a page's reports would wait for each other, however many cores the machine has. Each
 * thread opens its own read-only connection per report, as `sluice report` does. PostgreSQL reports
 * run on the calling thread: they wait on the server, which runs them side by side already, on
 * connections kept open between reports (`PgReportPools`), each report in its own read-only transaction.
 */
export class ReportThreads {
  private readonly threads = new Set<ReportThread>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Threads that died; past `size * 3`, threads are given up and reports run on the calling thread. */
  private deaths = 0;
  private readonly pgPools = new PgReportPools();
  /** Opens a report's database: PostgreSQL on a kept connection, SQLite as `sluice report` does. */
  private readonly open: OpenReportDatabase = (db, set) => {
    const target = parseReportTarget(db);
    return target.kind === 'postgres' ? this.pgPools.open(target.url, set) : openReportDatabase(db, set);
  };

  constructor(private readonly size = Math.min(MAX_THREADS, availableParallelism())) {
    for (let i = 0; i < size; i++) this.add();
  }

  /** A page's report: in a thread for a SQLite database, here for PostgreSQL. */
  async run(request: ReportRequest): Promise<PageReport> {
    if (this.threads.size === 0 || parseReportTarget(request.config.db).kind !== 'sqlite') return runPageReport(request, this.open);
    const run = await new Promise<ReportRun>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, config: request.config, resolve, reject });
      this.dispatch();
    });
    return pageReportOf(request, run);
  }

  /** Ends the threads; reports asked for afterwards run on the calling thread. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new SluiceError('SLUICE_E_REPORT', 'the dashboard is closing'));
    const threads = [...this.threads];
    this.threads.clear();
    await Promise.all([...threads.map((t) => t.stop()), this.pgPools.close()]);
  }

  private add(): void {
    const thread = new ReportThread(
      () => this.dispatch(),
      (dead) => {
        // A thread that died (out of memory, a native crash) is replaced; its job failed alone. Threads
        // that keep dying (a broken install) are given up: the reports then run here, as without threads.
        this.threads.delete(dead);
        if (this.closed) return;
        if (++this.deaths <= this.size * 3) this.add();
        else if (this.threads.size === 0) this.drainHere();
        this.dispatch();
      },
    );
    this.threads.add(thread);
  }

  /** Runs what waits for a thread here, when no thread is left. */
  private drainHere(): void {
    for (const job of this.queue.splice(0)) runReportRows(job.config, this.open).then(job.resolve, job.reject);
  }

  private dispatch(): void {
    for (const thread of this.threads) {
      if (this.queue.length === 0) return;
      if (thread.job === undefined) thread.start(this.queue.shift() as Job);
    }
  }
}
