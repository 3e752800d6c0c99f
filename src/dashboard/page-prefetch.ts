import type { PageReport } from './run-page-report.js';

interface Started {
  at: number;
  result: Promise<PageReport>;
}

/**
 * How long a report started for a page waits for the page to ask for it: the page's scripts ask
 * within a second or two, and an answer older than this no longer shows the database as the page
 * was opened.
 */
const PREFETCH_TTL_MS = 10_000;

/** A run not yet asked for is replaced by a page opened this long after it (a tab closed early, a reload). */
const REPLACE_AFTER_MS = 1_000;

/** Reports started at most at once and not yet asked for (pages opened and never drawn). */
const MAX_STARTED = 200;

/**
 * The reports of a page, started when its HTML is asked for rather than once its scripts ran and
 * asked: the browser loads the scripts and the catalog while the reports run. Each answer is handed
 * once, to the first request of the same report and flags on the same database within
 * `PREFETCH_TTL_MS`; it was read after the page was opened, from the state the database had then.
 * Later requests (a second tab, a changed flag) go the usual way (`ReportCache`).
 */
export class PagePrefetch {
  private readonly started = new Map<string, Started>();

  constructor(
    private readonly ttlMs = PREFETCH_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts `run` for `key`, unless a run for it started less than a second ago is waiting to be asked for. */
  start(key: string, run: () => Promise<PageReport>): void {
    this.dropStale();
    const waiting = this.started.get(key);
    if (waiting !== undefined && this.now() - waiting.at < REPLACE_AFTER_MS) return;
    this.started.delete(key);
    if (this.started.size >= MAX_STARTED) return;
    const result = run();
    result.catch(() => undefined); // asked for, the failure is the page's answer; never asked, nobody's
    this.started.set(key, { at: this.now(), result });
  }

  /** The run started for `key`, handed once; undefined when none was started or it waited too long. */
  take(key: string): Promise<PageReport> | undefined {
    const found = this.started.get(key);
    if (found === undefined) return undefined;
    this.started.delete(key);
    return this.now() - found.at <= this.ttlMs ? found.result : undefined;
  }

  private dropStale(): void {
    const now = this.now();
    for (const [key, s] of this.started) if (now - s.at > this.ttlMs) this.started.delete(key);
  }
}
