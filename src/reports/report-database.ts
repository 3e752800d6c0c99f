import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { SluiceError } from '../core/errors.js';
import { openSqliteDatabase } from '../db/sqlite/open-database.js';
import type { ProfileReports } from './report.js';
import type { ReportReader } from './report-reader.js';
import { SqliteReportReader } from './sqlite-report-reader.js';

/** SQLite page cache of a report connection, in KiB. */
const REPORT_CACHE_KIB = 2048;

/** A database opened for reports: read-only, checked to hold the profile's table, its snapshot begun. */
export interface ReportDatabase {
  reader: ReportReader;
  /** Indexes the reports expect that this database lacks (made by an older tool). */
  missingIndexes: string[];
  /** Why reports may be slow here besides a missing index (a PostgreSQL table never analyzed), if so. */
  slowBecause?: string | undefined;
}

/** A `--db` value: `postgres://…` (or `postgresql://…`), `sqlite:PATH`, or a bare path. */
export type ReportTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/** What `--db` names. */
export function parseReportTarget(db: string): ReportTarget {
  if (/^postgres(ql)?:\/\//i.test(db)) return { kind: 'postgres', url: db };
  if (db.startsWith('sqlite:')) return { kind: 'sqlite', path: db.slice('sqlite:'.length) };
  return { kind: 'sqlite', path: db };
}

/** How a report run opens its database: `openReportDatabase`, or one that keeps connections (the dashboard). */
export type OpenReportDatabase = (db: string, set: ProfileReports) => Promise<ReportDatabase>;

/** Opens `--db` for reports, SQLite or PostgreSQL (the PostgreSQL driver is loaded only for a URL). */
export async function openReportDatabase(db: string, set: ProfileReports): Promise<ReportDatabase> {
  const target = parseReportTarget(db);
  if (target.kind === 'sqlite') return openSqliteReportDatabase(target.path, set);
  const { openPgReportDatabase } = await import('./pg-report-database.js');
  return openPgReportDatabase(target.url, set);
}

/**
 * Opens `path` read-only for reports. It never creates a file, never migrates (a writer does that),
 * and reads beside a running ingest: WAL lets readers see the last commit while the writer goes on.
 * No file, or a file that is not this profile's database, is a usage error (exit 2).
 */
export function openSqliteReportDatabase(path: string, set: ProfileReports): ReportDatabase {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) {
    throw new SluiceError('SLUICE_E_NO_DATABASE', `no database at ${path}`);
  }
  if (!stat.isFile()) throw new SluiceError('SLUICE_E_NO_DATABASE', `${path} is not a database file`);
  let db: Database.Database;
  try {
    db = openSqliteDatabase(path, { readonly: true });
  } catch (err) {
    if (err instanceof SluiceError && err.code === 'SLUICE_E_NATIVE_MODULE') throw err;
    throw new SluiceError('SLUICE_E_NO_DATABASE', `cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // Reports read each page about once, in index order: a big page cache buys nothing and costs RSS
    // (SQLite's default here is 16 MB); the OS page cache keeps the file warm between runs.
    db.pragma(`cache_size = -${REPORT_CACHE_KIB}`);
    const names = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    if (!names.has(set.table)) {
      throw new SluiceError('SLUICE_E_NO_DATABASE', `${path} has no table ${set.table}: nothing was ingested into it`);
    }
    return { reader: new SqliteReportReader(path, db), missingIndexes: set.indexes.filter((i) => !names.has(i)) };
  } catch (err) {
    db.close();
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('SLUICE_E_NO_DATABASE', `${path} is not a readable SQLite database: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

