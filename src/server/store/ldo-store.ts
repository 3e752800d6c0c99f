import type { Readable } from 'node:stream';

/** A byte range of a stored file, inclusive ends (as in HTTP `Range`). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where LDO bytes live: `<dir>/video.<ext>` and `<dir>/ldo.json` under the store root, with
 * `dir = YYYY/MM/DD/<id>`, so a training pipeline reads the store without the service. Writes go to a
 * staging place first (or straight in place where the store has no rename, as S3) and become visible
 * with `publish`; `discard` removes an upload wherever its bytes are.
 */
export interface LdoStore {
  /** The store's URL, for logs. */
  readonly url: string;
  /** Streams `body` to file `name` of upload `id`; resolves once the bytes are durable. */
  writeStaged(id: string, dir: string, name: string, body: Readable, contentType: string): Promise<void>;
  /** Writes small bytes (`ldo.json`) to file `name` of upload `id`; resolves once they are durable. */
  writeBytes(id: string, dir: string, name: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Makes upload `id`'s staged files visible at `dir`. */
  publish(id: string, dir: string): Promise<void>;
  /** Removes every byte of upload `id`, staged and (when `dir` is given) published. Idempotent. */
  discard(id: string, dir: string | undefined): Promise<void>;
  /** Ids with a staging place (for cleanup of debris no reservation names). */
  stagedIds(): Promise<string[]>;
  /** The bytes of a small published file, or undefined when it is absent. */
  readSmall(dir: string, name: string): Promise<Buffer | undefined>;
  /** Size of a published file, or undefined when it is absent. */
  size(dir: string, name: string): Promise<number | undefined>;
  /** Streams a published file, or a range of it. */
  openRead(dir: string, name: string, range?: ByteRange): Promise<Readable>;
  /** Removes one published file (absent is fine). */
  removeFile(dir: string, name: string): Promise<void>;
  /** Every published `ldo.json` with its dir, in no particular order (reindex). */
  scanRecords(): AsyncIterable<{ dir: string; bytes: Buffer }>;
}
