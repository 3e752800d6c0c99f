import type { RowValue } from '../core/rows/table-spec.js';

/** A row of a profile table as an object: column name → value. */
export type RowObject = Record<string, RowValue>;

/** The rows of one table in a batch, in the order they were read. */
export interface TableRows {
  /** Index into the profile's `tables`. */
  table: number;
  rows: RowObject[];
}

/** An index the model writes to: created with its mappings unless it exists, reached by its alias. */
export interface EsIndexSpec {
  /** The name documents are written to and read from (`posts`). */
  alias: string;
  /** The concrete index created behind the alias (`posts_v1`). */
  index: string;
  /** Index mappings (`properties`, ...) as Elasticsearch takes them. */
  mappings: Record<string, unknown>;
  /** A keyword field equal to `_id`: searches are paged in its order (sorting on `_id` is off by default). */
  idField: string;
}

/** One bulk operation. `index` replaces the document; `delete` of a missing document is a success. */
export interface EsOperation {
  action: 'index' | 'delete';
  /** Index or alias name. */
  index: string;
  id: string;
  routing?: string | undefined;
  /** The document (`index` only): an object, or already serialized as UTF-8 JSON bytes. */
  source?: Record<string, unknown> | undefined;
  sourceBytes?: Uint8Array | undefined;
  /**
   * An external version (`index` only, a non-negative integer, e.g. the event time): the write
   * applies only if no stored version is greater (`version_type: external_gte`), so the newest
   * version wins whatever order writes come in. An older write is counted as stale, not refused.
   */
  version?: number | undefined;
  /**
   * Held until the commit and sent once every other operation before it is acknowledged: a delete
   * that must not be applied before the tombstone that records it (a retried item, or another
   * writer's, is otherwise applied later).
   */
  afterAcknowledged?: boolean | undefined;
}

/** A document's reference for real-time reads. */
export interface EsDocRef {
  id: string;
  routing?: string | undefined;
}

/** What a model may read while planning a batch. */
export interface EsLookup {
  /** Documents of `index` by id, read in real time; missing ids are absent from the map. */
  get(index: string, refs: readonly EsDocRef[]): Promise<Map<string, Record<string, unknown>>>;
  /**
   * Documents matching a query (`bool` of `term` and `range` filters), once everything sent before
   * has been applied and is visible: a barrier, so use it for rare events (an account deletion).
   */
  search(index: string, query: Record<string, unknown>, routing?: string): Promise<Array<{ id: string; source: Record<string, unknown> }>>;
}

/**
 * How a profile's rows become Elasticsearch documents: the indexes it needs and, per batch of rows,
 * the bulk operations (after looking up what decides them, e.g. tombstones).
 */
export interface EsDocumentModel {
  indexes: readonly EsIndexSpec[];
  /** The operations for a batch; they are sent in order for any one document id. */
  plan(batch: readonly TableRows[], lookup: EsLookup): Promise<EsOperation[]>;
  /**
   * Rows of a batch that `plan` folds into another row's write (a second copy of the same document):
   * the sink counts them as duplicates, as a database sink counts a row it already had.
   */
  repeatsIn?(batch: readonly TableRows[]): number;
  /**
   * Once everything written since the last commit is acknowledged: the operations that mend what
   * another writer did meanwhile (a post indexed while its tombstone was being written elsewhere).
   * `written` are the `index` operations of those writes, without their document bytes.
   */
  settle?(written: readonly EsWrite[], lookup: EsLookup): Promise<EsOperation[]>;
}

/** An acknowledged `index` operation, as `settle` gets it. */
export type EsWrite = Pick<EsOperation, 'index' | 'id' | 'routing' | 'version' | 'source'>;
