import { DatabaseVersions } from './database-version.js';
import type { PageReport } from './run-page-report.js';

interface Entry {
  version: string;
  result: Promise<PageReport>;
}

/**
 * Report answers kept while their database is unchanged (see `DatabaseVersions`), so a page opened
 * again (or after the warm-up at start) does not run its reports again; the same request in flight
 * twice runs once.
 * The answer is the one the report gave on this very database state, so it still equals what
 * `sluice report` prints now.
 */
export class ReportCache {
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new DatabaseVersions();

  constructor(private readonly maxEntries = 500) {}

  /** The answer for `key` on `db` as it is now: kept, or computed by `run` (and kept if it succeeds). */
  async get(db: string, key: string, run: () => Promise<PageReport>): Promise<PageReport> {
    const version = await this.versions.of(db);
    if (version === undefined) return run();
    const found = this.entries.get(key);
    if (found && found.version === version) return found.result.then((r) => ({ ...r, cached: true }));
    const result = run();
    this.entries.set(key, { version, result });
    result.catch(() => this.entries.delete(key));
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return result;
  }

  /** Closes what the witnesses hold open (PostgreSQL connections). */
  close(): Promise<void> {
    return this.versions.close();
  }
}
