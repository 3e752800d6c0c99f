import { statSync } from 'node:fs';
import { parseReportTarget } from '../reports/report-database.js';
import type { PageReport } from './run-page-report.js';

/**
 * What changes when a SQLite database changes: size and modification time of the file and of its
 * WAL (a commit appends to the WAL, a checkpoint writes the file). Undefined for PostgreSQL, which
 * has no such cheap witness: its reports are never cached.
 */
export function databaseVersion(db: string): string | undefined {
  const target = parseReportTarget(db);
  if (target.kind !== 'sqlite') return undefined;
  // An empty WAL is no WAL: a reader opening a database its last writer closed creates one.
  const part = (path: string) => {
    const s = statSync(path, { throwIfNoEntry: false });
    return s && s.size > 0 ? `${s.size}:${s.mtimeMs}` : '-';
  };
  return `${part(target.path)}|${part(`${target.path}-wal`)}`;
}

interface Entry {
  version: string;
  result: Promise<PageReport>;
}

/**
 * Report answers kept while their SQLite database is unchanged, so a page opened again (or after the
 * warm-up at start) does not run its reports again; the same request in flight twice runs once.
 * The answer is the one the report gave on this very database state, so it still equals what
 * `sluice report` prints now.
 */
export class ReportCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 500) {}

  /** The answer for `key` on `db` as it is now: kept, or computed by `run` (and kept if it succeeds). */
  get(db: string, key: string, run: () => Promise<PageReport>): Promise<PageReport> {
    const version = databaseVersion(db);
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
}
