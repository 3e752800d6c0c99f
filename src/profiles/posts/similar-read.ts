/**
 * Reading the stored vectors of `posts` for `report similar`. Reading is the cost of the scan, and
 * one Buffer per row (malloc, a backing store, V8's sweeping of it) costs more than the page reads, so
 * rows come in chunks: one statement returns the ids of up to CHUNK_ROWS posts and their vectors
 * concatenated into one BLOB by group_concat. An author's posts (few, found through its index) and a
 * database whose text is not UTF-8 (where group_concat would transcode the bytes) are read row by row.
 */
import type Database from 'better-sqlite3';
import { EMBEDDING_DIMS } from './embedding.js';

/** Bytes of one stored vector (float32). */
export const VECTOR_BYTES = EMBEDDING_DIMS * 4;

/** Posts per chunk: enough to spread a statement's cost, few enough to keep each BLOB small. */
const CHUNK_ROWS = 512;

/**
 * Page cache (KiB) while scanning. The scan reads each page once, so better-sqlite3's default 16 MB
 * cache only costs memory and page faults: a small one makes the scan faster and the RSS ~18 MB lower
 * per connection.
 */
const SCAN_CACHE_KIB = 256;

/** What to read: the vectors of `column` other than post `selfId`'s, of `author`'s posts if given. */
export interface ReadPlan {
  column: string;
  selfId: number;
  author: string | undefined;
}

/** An inclusive range of ids. */
export interface IdRange {
  from: number;
  to: number;
}

/** Every id: the range of a scan that is not split. */
export const ALL_IDS: IdRange = { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER };

/** Called with each stored vector: the post's id, and the vector at `offset` floats into `values`. */
export type VisitVector = (id: number, values: Float32Array, offset: number) => void;

/** The float32 values of a stored vector, without a copy when the buffer is 4-byte aligned. */
export function floats(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(blob.slice().buffer);
}

/** Whether `value` is a stored vector of the expected size (not NULL, not a stray value). */
export function isVector(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === VECTOR_BYTES;
}

/** Whether `plan` can be read in chunks (and so split by id range): no author, UTF-8 text. */
export function readsInChunks(db: Database.Database, plan: ReadPlan): boolean {
  return plan.author === undefined && db.pragma('encoding', { simple: true }) === 'UTF-8';
}

/** Runs `read` with the small scan cache, then gives the connection its own setting back. */
export function withScanCache<T>(db: Database.Database, read: () => T): T {
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${SCAN_CACHE_KIB}`);
  try {
    return read();
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
  }
}

/** A reader of `plan` (see `readsInChunks`): visits every stored vector whose id is in a range, once. */
export function chunkReader(db: Database.Database, plan: ReadPlan): (range: IdRange, visit: VisitVector) => void {
  const col = `"${plan.column}"`;
  // typeof and length read only the record header, so the filter matches `isVector` at no cost. Each
  // chunk continues after the last id of the one before, so gaps in the ids cost nothing.
  const chunk = db
    .prepare(
      `SELECT max(id), group_concat(id), CAST(group_concat(v, '') AS BLOB) FROM (
         SELECT id, ${col} AS v FROM posts
         WHERE id > ? AND id <= ? AND id <> ? AND typeof(${col}) = 'blob' AND length(${col}) = ${VECTOR_BYTES}
         ORDER BY id LIMIT ${CHUNK_ROWS})`,
    )
    .raw(true);
  return (range, visit) => {
    for (let after = range.from - 1; ; ) {
      const [lastId, ids, blob] = chunk.get(after, range.to, plan.selfId) as [number | null, string | null, Uint8Array | null];
      if (lastId === null || ids === null || blob === null) return;
      // Both aggregates step through the same rows in the same order: the i-th id owns the i-th vector.
      const idList = ids.split(',');
      if (idList.length * VECTOR_BYTES !== blob.byteLength) {
        throw new Error(`similar: a chunk of ${idList.length} ids came with ${blob.byteLength} bytes of vectors`);
      }
      const values = floats(blob);
      for (let i = 0; i < idList.length; i++) visit(Number(idList[i]), values, i * EMBEDDING_DIMS);
      if (idList.length < CHUNK_ROWS) return; // a short chunk is the range's last
      after = lastId;
    }
  };
}

/** Visits every stored vector of `plan` row by row, in no promised order. */
export function readRows(db: Database.Database, plan: ReadPlan, visit: VisitVector): void {
  const byAuthor = plan.author !== undefined ? ' AND author_did = ?' : '';
  const rows = db
    .prepare(`SELECT id, "${plan.column}" FROM posts WHERE "${plan.column}" IS NOT NULL AND id <> ?${byAuthor}`)
    .raw(true)
    .iterate(...(plan.author !== undefined ? [plan.selfId, plan.author] : [plan.selfId])) as Iterable<[number, unknown]>;
  for (const [id, blob] of rows) if (isVector(blob)) visit(id, floats(blob), 0);
}
