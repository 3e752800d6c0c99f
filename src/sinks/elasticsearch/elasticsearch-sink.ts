import type { Client, estypes } from '@elastic/elasticsearch';
import type { BadRecord } from '../../core/bad-record.js';
import { SluiceError } from '../../core/errors.js';
import { RowChunkReader, type EncodedRows } from '../../core/rows/row-chunk.js';
import type { RowValue } from '../../core/rows/table-spec.js';
import type { Profile } from '../../profiles/profile.js';
import type { CommitResult, Sink, UnitCursor } from '../../core/sink.js';
import { BufferLeases } from './buffer-leases.js';
import { BulkSender } from './bulk-sender.js';
import { createEsClient, redactedUrl, type EsConnectionSettings } from './es-connection.js';
import type { EsDocRef, EsDocumentModel, EsLookup, EsOperation, EsWrite, RowObject, TableRows } from '../../profiles/es-document-model.js';
import { EsFieldNames, resolveFieldNames } from './es-field-names.js';
import { ensureIndexes } from './es-indexes.js';
import { DEFAULT_RETRY, type RetryPolicy } from './es-retry-policy.js';
import { describeEsError } from './es-retry.js';
import { SinkStateStore } from '../state/sink-state-store.js';

/** Options of the Elasticsearch sink. */
export interface ElasticsearchSinkOptions extends EsConnectionSettings {
  /** SQLite file for cursors (and the ledger): the `--state`. */
  statePath: string;
  /** Operations per bulk request (`--batch-size`). */
  batchSize: number;
  /** Bytes per bulk request. */
  maxBytes?: number | undefined;
  /** Bulk requests in flight. */
  maxInFlight?: number | undefined;
  /** Create the indexes and aliases when missing (`--no-create-indexes` turns it off). */
  createIndexes: boolean;
  retry?: RetryPolicy | undefined;
}

/**
 * Documents into Elasticsearch through the profile's document model, with the official client.
 * Rows are planned into bulk operations a batch at a time and sent a few requests at once; a commit
 * waits until every item up to it is acknowledged (or refused for good and dead-lettered), then
 * saves the cursors and ledger marks in the local state file. A crash before that redoes the unit,
 * which is safe: every operation is idempotent (index by `_id`, delete).
 */
export class ElasticsearchSink implements Sink {
  readonly description: string;
  private client: Client | undefined;
  private sender: BulkSender | undefined;
  private readonly state: SinkStateStore;
  private readonly model: EsDocumentModel;
  private batch: TableRows[] = [];
  /**
   * Documents (with an object source) sent but not yet acknowledged, per index: reads of the
   * planner see them, so a tombstone of an earlier batch still queued or in flight is not missed.
   */
  private unacknowledged = new Map<string, Map<string, Record<string, unknown>>>();
  private batchRows = 0;
  /**
   * The row chunks' blob buffers (documents built by the parser threads), freed once their
   * documents are in request bodies. A model's object `source` must not keep a view of row bytes.
   */
  private readonly leases = new BufferLeases();
  private batchBuffers: ArrayBufferLike[] = [];
  private committedCounts = { indexed: 0, deleted: 0, notFound: 0, stale: 0 };
  /** Rows of the batches planned since the last commit that repeated a document of their batch. */
  private repeats = 0;
  /** Operations held until the commit (`afterAcknowledged`). */
  private deferred: EsOperation[] = [];
  /** `index` operations since the last commit, for the model's `settle`. */
  private written: EsWrite[] = [];
  /** Names of the fields lookups query and sort on, as the existing indexes map them. */
  private fields = new EsFieldNames(new Map());

  constructor(
    private readonly o: ElasticsearchSinkOptions,
    private readonly profile: Profile,
  ) {
    if (!profile.elasticsearch) {
      throw new SluiceError('SLUICE_E_UNKNOWN_SINK', `--into: profile ${profile.name} cannot write to Elasticsearch; use sqlite:PATH`);
    }
    this.model = profile.elasticsearch;
    this.description = `elasticsearch:${redactedUrl(o.url)}`;
    this.state = new SinkStateStore(o.statePath);
  }

  async open(): Promise<void> {
    const client = createEsClient(this.o);
    this.client = client;
    try {
      await client.info();
    } catch (err) {
      throw connectError(err, redactedUrl(this.o.url));
    }
    if (this.o.createIndexes) await ensureIndexes(client, this.model.indexes);
    this.fields = await resolveFieldNames(client, this.model.indexes, (line) => process.stderr.write(`sluice: warning: ${line}\n`));
    this.sender = new BulkSender(client, {
      batchSize: this.o.batchSize,
      maxBytes: this.o.maxBytes ?? 5 * 1024 * 1024,
      maxInFlight: this.o.maxInFlight ?? 4,
      retry: this.o.retry ?? DEFAULT_RETRY,
      leases: this.leases,
    });
    this.state.open();
  }

  async readCursor(key: string): Promise<UnitCursor | undefined> {
    return this.state.read(key);
  }

  async write(rows: EncodedRows): Promise<void> {
    const table = this.profile.tables[rows.table];
    if (!table) throw new Error(`profile ${this.profile.name} has no table #${rows.table}`);
    const reader = new RowChunkReader(rows, table);
    const names = table.columns.map((c) => c.name);
    const objects: RowObject[] = [];
    const values: RowValue[] = [];
    while (reader.remaining > 0) {
      reader.next(1, values);
      const o: RowObject = {};
      for (let i = 0; i < names.length; i++) o[names[i] as string] = values[i] ?? null;
      objects.push(o);
    }
    this.batch.push({ table: rows.table, rows: objects });
    // The batch holds the chunk's blob buffer until it is planned: then each operation holds it.
    this.leases.hold(rows.blobs.buffer);
    this.batchBuffers.push(rows.blobs.buffer);
    this.batchRows += objects.length;
    if (this.batchRows >= this.o.batchSize) await this.planBatch();
  }

  /**
   * Sends everything written and waits for every item, then the operations held for after that,
   * then what the model's `settle` finds to mend; returns the items refused for good.
   */
  async flush(): Promise<BadRecord[]> {
    await this.planBatch();
    const sender = this.requireSender();
    await sender.drain();
    await this.sendDeferred();
    if (this.model.settle && this.written.length > 0) {
      const written = this.written;
      this.written = [];
      for (const op of await this.model.settle(written, this.lookup)) await this.send(op);
      await sender.drain();
      await this.sendDeferred();
    }
    this.written = [];
    return sender.takeRejected().map((r) => ({
      file: `${this.description}/${r.index}`,
      line: 0,
      offset: 0,
      reason: `es_rejected: ${r.id}: HTTP ${r.status} ${r.reason}`,
      raw: r.raw,
    }));
  }

  async commit(cursors: readonly UnitCursor[]): Promise<CommitResult> {
    const sender = this.requireSender();
    await this.planBatch();
    await sender.drain();
    await this.sendDeferred(); // flush() sent them already, unless it was not called
    this.unacknowledged.clear();
    this.state.save(cursors);
    const c = sender.counts;
    const written = c.indexed + c.deleted + c.notFound - (this.committedCounts.indexed + this.committedCounts.deleted + this.committedCounts.notFound);
    // Writes older than the stored version (stale) changed nothing: they are the duplicates.
    // So do repeats of a document within a batch, folded into one write by the model.
    const duplicates = c.stale - this.committedCounts.stale + this.repeats;
    this.repeats = 0;
    this.committedCounts = { indexed: c.indexed, deleted: c.deleted, notFound: c.notFound, stale: c.stale };
    return { written, duplicates };
  }

  rollback(): void {
    this.releaseBatchBuffers();
    this.deferred = [];
    this.written = [];
    this.batch = [];
    this.batchRows = 0;
    this.repeats = 0;
    this.unacknowledged.clear();
    this.sender?.dropQueued();
    // Items of the failed unit refused so far: the unit is done again, and they with it.
    this.sender?.takeRejected();
  }

  async close(): Promise<void> {
    this.rollback();
    this.state.close();
    await this.client?.close();
    this.client = undefined;
  }

  outcomes(): Record<string, number> {
    const c = this.sender?.counts;
    if (!c) return {};
    return { indexed: c.indexed, deleted: c.deleted, not_found: c.notFound, stale: c.stale, retried: c.retried, rejected: c.rejected, bulk_requests: c.requests };
  }

  private async planBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    const buffers = this.batchBuffers;
    this.batch = [];
    this.batchBuffers = [];
    this.batchRows = 0;
    this.repeats += this.model.repeatsIn?.(batch) ?? 0;
    try {
      for (const op of await this.model.plan(batch, this.lookup)) await this.send(op);
    } finally {
      for (const b of buffers) this.leases.drop(b);
    }
  }

  /** Queues an operation (or holds it for the commit), noting what later reads and `settle` need. */
  private async send(op: EsOperation): Promise<void> {
    if (op.afterAcknowledged) {
      this.deferred.push(op);
      return;
    }
    if (op.action === 'index') {
      if (op.source) {
        let docs = this.unacknowledged.get(op.index);
        if (!docs) this.unacknowledged.set(op.index, (docs = new Map()));
        docs.set(op.id, op.source);
      }
      if (this.model.settle) this.written.push({ index: op.index, id: op.id, routing: op.routing, version: op.version, source: op.source });
    }
    await this.requireSender().add(op);
  }

  /** Sends the operations held for after everything before them was acknowledged, and waits for them. */
  private async sendDeferred(): Promise<void> {
    if (this.deferred.length === 0) return;
    const ops = this.deferred;
    this.deferred = [];
    const sender = this.requireSender();
    for (const op of ops) await sender.add({ ...op, afterAcknowledged: false });
    await sender.drain();
  }

  private releaseBatchBuffers(): void {
    for (const b of this.batchBuffers) this.leases.drop(b);
    this.batchBuffers = [];
  }

  private readonly lookup: EsLookup = {
    get: async (index: string, refs: readonly EsDocRef[]) => {
      const found = new Map<string, Record<string, unknown>>();
      if (refs.length === 0) return found;
      const client = this.requireClient();
      try {
        const res = await client.mget<Record<string, unknown>>({
          docs: refs.map((r) => ({ _index: index, _id: r.id, ...(r.routing ? { routing: r.routing } : {}) })),
        });
        for (const d of res.docs) {
          if ('found' in d && d.found && d._source) found.set(d._id, d._source);
        }
      } catch (err) {
        if (!isMissingIndex(err)) {
          throw new SluiceError('SLUICE_E_SINK', `Elasticsearch _mget on ${index} failed: ${describeEsError(err)}`, { cause: err });
        }
      }
      const pending = this.unacknowledged.get(index);
      if (pending) for (const r of refs) {
        const doc = pending.get(r.id);
        if (doc) found.set(r.id, doc);
      }
      return found;
    },
    search: async (index: string, query: Record<string, unknown>, routing?: string) => {
      const client = this.requireClient();
      await this.requireSender().drain();
      try {
        await client.indices.refresh({ index });
        const out: Array<{ id: string; source: Record<string, unknown> }> = [];
        // Paged in `_id` order with search_after, so an author with many posts is read whole.
        let after: FieldValue[] | undefined;
        for (;;) {
          const res = await client.search<Record<string, unknown>>({
            index,
            query: this.fields.query(index, query),
            size: SEARCH_PAGE,
            sort: [{ [this.fields.field(index, this.idFieldOf(index))]: { order: 'asc', unmapped_type: 'keyword' } }],
            ...(after ? { search_after: after } : {}),
            ...(routing ? { routing } : {}),
          });
          // A lookup that missed part of the index would leave documents it should have found. An
          // answer without `_shards` (a proxy, another server) says no shard failed; one without
          // hits cannot be read at all.
          const shards = res._shards as typeof res._shards | undefined;
          const failed = typeof shards?.failed === 'number' ? shards.failed : 0;
          if (failed > 0) {
            const reason = shards?.failures?.[0]?.reason;
            throw new SluiceError('SLUICE_E_SINK', `Elasticsearch _search on ${index}: ${failed} shard(s) failed (${reason?.type ?? 'error'}: ${reason?.reason ?? '?'})`, {
              because: 'bad_answer',
            });
          }
          const hits = (res.hits as typeof res.hits | undefined)?.hits;
          if (!Array.isArray(hits)) throw new SluiceError('SLUICE_E_SINK', `Elasticsearch _search on ${index}: the answer has no hits.hits array`, { because: 'bad_answer' });
          for (const h of hits) out.push({ id: h._id ?? '', source: h._source ?? {} });
          if (hits.length < SEARCH_PAGE) return out;
          after = hits[hits.length - 1]?.sort;
          if (!after) return out;
        }
      } catch (err) {
        if (isMissingIndex(err)) return [];
        throw new SluiceError('SLUICE_E_SINK', `Elasticsearch _search on ${index} failed: ${describeEsError(err)}`, { cause: err });
      }
    },
  };

  /** The keyword field that holds a document's `_id` (search pages are sorted on it). */
  private idFieldOf(index: string): string {
    const spec = this.model.indexes.find((i) => i.alias === index || i.index === index);
    if (!spec) throw new Error(`no index spec for ${index}`);
    return spec.idField;
  }

  private requireClient(): Client {
    if (!this.client) throw new Error('ElasticsearchSink used before open()');
    return this.client;
  }

  private requireSender(): BulkSender {
    if (!this.sender) throw new Error('ElasticsearchSink used before open()');
    return this.sender;
  }
}

type FieldValue = estypes.FieldValue;

/** Documents per page of a lookup search. */
const SEARCH_PAGE = 1000;

const CERTIFICATE_ERRORS = /SELF_SIGNED|UNABLE_TO_VERIFY|CERT_|ERR_TLS|certificate/i;

/** Why the first request failed, said so that the user knows what to change. */
function connectError(err: unknown, url: string): SluiceError {
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 401 || status === 403) {
    return new SluiceError(
      'SLUICE_E_CONFIG',
      `Elasticsearch at ${url} refused the credentials (${describeEsError(err)}); check ELASTICSEARCH_API_KEY and its privileges on posts and post_tombstones`,
      { cause: err },
    );
  }
  const code = String((err as { cause?: { code?: string } }).cause?.code ?? '');
  if (CERTIFICATE_ERRORS.test(code) || CERTIFICATE_ERRORS.test((err as Error).message)) {
    return new SluiceError(
      'SLUICE_E_CONFIG',
      `cannot trust the certificate of Elasticsearch at ${url} (${describeEsError(err)}); pass --ca-cert PEM, or for local development only --skip-tls-verify`,
      { cause: err },
    );
  }
  return new SluiceError('SLUICE_E_SINK', `cannot reach Elasticsearch at ${url}: ${describeEsError(err)}`, { cause: err });
}

function isMissingIndex(err: unknown): boolean {
  const e = err as { statusCode?: number; body?: { error?: { type?: string } } };
  return e.statusCode === 404 && e.body?.error?.type === 'index_not_found_exception';
}
