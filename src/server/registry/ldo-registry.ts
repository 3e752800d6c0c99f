import type { LdoEntry } from '../ldo-entry.js';

/** A keyset position in the newest-first list. */
export interface ListCursor {
  /** `created_at` of the last entry seen, in epoch milliseconds. */
  createdMs: number;
  /** Its id (ties on the same millisecond). */
  id: string;
}

/** One `GET /ingest/list` query. */
export interface ListQuery {
  /** Entries to skip (offset paging; ignored with a cursor). */
  skip: number;
  /** Page size, 1..1000. */
  limit: number;
  /** Only entries created at or after this time (epoch ms). */
  sinceMs?: number;
  /** Only entries created before this time (epoch ms). */
  untilMs?: number;
  /** Only entries with this metadata `ldo_id`. */
  ldoId?: string;
  /** Continue after this position (keyset paging). */
  cursor?: ListCursor;
}

/** One page, newest first. */
export interface ListPage {
  /** Entries matching the filters (all pages). */
  total: number;
  entries: LdoEntry[];
}

/** What `commit` did. */
export type CommitOutcome = { kind: 'committed' } | { kind: 'exists'; existing: LdoEntry };

/** An upload that has reserved its id but is not registered yet. */
export interface PendingUpload {
  id: string;
  /** Its folder in the store. */
  dir: string;
  /** False when the process that reserved it is gone: its bytes are debris to remove. */
  alive: boolean;
}

/**
 * The list of stored LDOs. An upload reserves its id (`reserve`) before a byte is stored and is
 * registered (`commit`) only after the store has its bytes, so a crash in between leaves a pending row
 * that `pending()` reports as dead and the service cleans at start.
 */
export interface LdoRegistry {
  /** Where it lives, for logs (no credentials). */
  readonly description: string;
  /** Notes that this process is about to store bytes for `id` in `dir`. */
  reserve(id: string, dir: string): Promise<void>;
  /** Registers an entry and drops its reservation in one transaction; an existing idempotency key wins. */
  commit(entry: LdoEntry): Promise<CommitOutcome>;
  /** Drops a reservation (the upload was abandoned and its bytes removed). */
  release(id: string): Promise<void>;
  /** Every reservation, each marked alive or not. */
  pending(): Promise<PendingUpload[]>;
  /** The entry with this idempotency key. */
  findByKey(key: string): Promise<LdoEntry | undefined>;
  /** The entry with this id. */
  get(id: string): Promise<LdoEntry | undefined>;
  /** A page of entries, newest first. */
  list(query: ListQuery): Promise<ListPage>;
  /** Removes an entry; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Replaces every entry by these (reindex); returns how many were registered. */
  replaceAll(entries: AsyncIterable<LdoEntry>): Promise<number>;
  /** Closes connections. */
  close(): Promise<void>;
}
