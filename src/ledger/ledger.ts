/** Where a unit is in its life. */
export type UnitStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

/** A unit found by a lister: an S3 object or a file of a spool folder. */
export interface DiscoveredUnit {
  /** The bucket (S3) or the spool folder (local). */
  bucket: string;
  /** The object key, or the path relative to the folder. */
  key: string;
  size: number;
  /** Processing order: the timestamp in the key when it has one, else LastModified / mtime (ISO). */
  sortKey: string;
  /** What the unit is now (S3 ETag; size and mtime of a file): a COMPLETED unit whose version changes runs again. */
  version?: string | undefined;
}

/** One row of the ledger, as the log-insights ingestor's `ProcessedFile` plus lease and backoff. */
export interface LedgerUnit extends DiscoveredUnit {
  status: UnitStatus;
  attempts: number;
  error: string | null;
  lastAttempt: string | null;
  processedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** A PROCESSING unit whose lease ran out is taken again (its worker died). */
  leaseUntil: string | null;
  /** A PENDING unit that failed waits until then (exponential backoff). */
  nextAttemptAt: string | null;
  /** The worker holding or last holding it. */
  worker: string | null;
}

/** How units are claimed. */
export interface ClaimOptions {
  /** Claimed to be fetched ahead: no attempt is counted until `begin`. */
  ahead?: boolean | undefined;
}

/** A page of `jobs list`. */
export interface LedgerPage {
  units: LedgerUnit[];
  total: number;
}

/**
 * Which units exist and where each stands: PENDING, PROCESSING (leased), COMPLETED, FAILED. Never a
 * single "newest timestamp": objects written in the same second are all tracked one by one.
 */
export interface Ledger {
  /** `sqlite:PATH` or `postgres://...`, for messages. */
  readonly description: string;
  /** Creates the table if needed. */
  open(): Promise<void>;
  /** Adds units not seen before as PENDING; returns how many were new. */
  register(units: readonly DiscoveredUnit[]): Promise<number>;
  /**
   * Takes up to `limit` units of `bucket` that are due (PENDING past their backoff, or PROCESSING with
   * a lapsed lease), oldest first, marking them PROCESSING for `leaseSec` under `worker`. Safe with
   * many workers: each unit is handed to one. A PROCESSING unit whose lease lapsed after
   * `maxAttempts` claims (its workers keep dying on it) is marked FAILED instead of handed out again.
   */
  claim(bucket: string, worker: string, leaseSec: number, limit: number, maxAttempts?: number, options?: ClaimOptions): Promise<LedgerUnit[]>;
  /**
   * A unit claimed ahead (`{ ahead: true }`) whose turn has come: counts the attempt and starts its
   * lease again from now. A worker that dies with units only claimed ahead charges them nothing.
   * False when `worker` no longer holds the unit (its lease lapsed while it waited and another
   * worker took it): the caller must skip it.
   */
  begin(bucket: string, key: string, leaseSec: number, worker: string): Promise<boolean>;
  /** Marks a unit COMPLETED (a no-op when the sink already did, in its own transaction). */
  complete(bucket: string, key: string): Promise<void>;
  /**
   * Records a failed attempt: PENDING again after an exponential backoff, or FAILED once
   * `maxAttempts` is reached. Returns the new status.
   */
  fail(bucket: string, key: string, error: string, maxAttempts: number, backoffBaseSec: number): Promise<UnitStatus>;
  /** When the next PENDING unit of `bucket` becomes due (null if none waits). */
  nextDue(bucket: string): Promise<string | null>;
  /** Units by status, newest first, paged. */
  list(filter: { status?: UnitStatus | undefined; bucket?: string | undefined; limit: number; page: number }): Promise<LedgerPage>;
  /** FAILED (or any) units back to PENDING with attempts reset; returns how many. */
  retry(target: { key: string } | { allFailed: true }): Promise<number>;
  /** The status of the unit `key` (of any bucket), or null when the ledger has no such unit. */
  statusOf(key: string): Promise<UnitStatus | null>;
  /** A stuck PROCESSING unit back to PENDING; returns whether one was released. */
  release(key: string): Promise<boolean>;
  /**
   * Every PROCESSING unit of `worker` back to PENDING: a worker that starts its source again (after
   * its database came back) takes back what it held, instead of waiting out its own leases.
   */
  releaseHeldBy(worker: string): Promise<number>;
  close(): Promise<void>;
}

/** Seconds to wait before attempt `attempts + 1`: base × 2^(attempts − 1), at most an hour. */
export function backoffSeconds(attempts: number, baseSec: number): number {
  return Math.min(3600, baseSec * 2 ** Math.max(0, attempts - 1));
}
