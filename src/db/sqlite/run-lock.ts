import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import { nativeModuleError } from '../../core/native-module-error.js';
import { bootId } from '../../core/process-liveness.js';

/** Who holds (or last held) a run lock. */
export interface LockHolder {
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder. */
  host: string;
  /** `/proc/sys/kernel/random/boot_id` of the holder's host (empty where there is none). */
  bootId: string;
  /** A token unique to the holder's run. */
  run: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
}

const HOLDER_SQL = 'SELECT pid, host, boot_id AS bootId, run, started_at AS startedAt FROM holder WHERE id = 1';

/**
 * One writer at a time for a file (a dead-letter file and so the database beside it): an exclusive
 * lock held for the whole run. It is a SQLite file whose RESERVED lock (a `BEGIN IMMEDIATE` left open)
 * is the lock: the kernel's POSIX lock behind it ends with the process, so a SIGKILLed holder never
 * leaves a stale lock, and other processes can still read who holds it.
 */
export class RunLock {
  private constructor(
    private readonly db: Database.Database,
    /** This run's holder record. */
    readonly holder: LockHolder,
    /** The run that held the lock before this one, if any: the last writer of the guarded file. */
    readonly previousRun: string | undefined,
  ) {}

  /**
   * Takes the lock at `path` (created with its folder when missing), or throws `SLUICE_E_LOCKED`
   * naming the holder's pid when another run holds it. `what` names the guarded file in the message.
   */
  static acquire(path: string, what: string): RunLock {
    let db: Database.Database;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('busy_timeout = 0');
      db.pragma('journal_mode = DELETE');
    } catch (err) {
      const native = nativeModuleError(err);
      if (native) throw native;
      throw new SluiceError('SLUICE_E_CONFIG', `cannot create the lock file ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const holder: LockHolder = { pid: process.pid, host: hostname(), bootId: bootId(), run: randomUUID(), startedAt: new Date().toISOString() };
      begin(db, path, what);
      db.exec(
        'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER, host TEXT, boot_id TEXT, run TEXT, started_at TEXT)',
      );
      const previous = db.prepare(HOLDER_SQL).get() as LockHolder | undefined;
      db.prepare('INSERT OR REPLACE INTO holder VALUES (1, ?, ?, ?, ?, ?)').run(holder.pid, holder.host, holder.bootId, holder.run, holder.startedAt);
      db.exec('COMMIT');
      // Held from here to `release`: a write lock without writes, so others can still read the holder.
      begin(db, path, what);
      const now = db.prepare(HOLDER_SQL).get() as LockHolder | undefined;
      if (now?.run !== holder.run) throw lockedError(path, what, now);
      return new RunLock(db, holder, previous?.run);
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
      throw err;
    }
  }

  /** Lets the next run in. */
  release(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}

function begin(db: Database.Database, path: string, what: string): void {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') !== true) throw err;
    throw lockedError(path, what, readHolder(db));
  }
}

function readHolder(db: Database.Database): LockHolder | undefined {
  // The holder writes its record in a short transaction; a reader waits that out.
  db.pragma('busy_timeout = 2000');
  try {
    return db.prepare(HOLDER_SQL).get() as LockHolder | undefined;
  } catch {
    return undefined;
  } finally {
    db.pragma('busy_timeout = 0');
  }
}

function lockedError(path: string, what: string, holder: LockHolder | undefined): SluiceError {
  const who = holder === undefined ? 'another process' : `pid ${holder.pid} on ${holder.host} (since ${holder.startedAt})`;
  return new SluiceError('SLUICE_E_LOCKED', `${what} is in use by ${who}: one writer at a time (lock ${path})`);
}
