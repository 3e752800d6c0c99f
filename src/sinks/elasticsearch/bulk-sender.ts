import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { SluiceError } from '../../core/errors.js';
import { freeArrayBuffer } from '../../core/rows/free-array-buffer.js';
import type { BufferLeases } from './buffer-leases.js';
import { COMPATIBLE_NDJSON } from './es-connection.js';
import type { EsOperation } from '../../profiles/es-document-model.js';
import { retryableStatus, retryDelayMs, type RetryPolicy } from './es-retry-policy.js';
import { describeEsError, retryableError } from './es-retry.js';

/** How bulk requests are cut and paced. */
export interface BulkSenderOptions {
  /** Operations per request (`--batch-size`). */
  batchSize: number;
  /** Bytes per request. */
  maxBytes: number;
  /** Requests in flight at once. */
  maxInFlight: number;
  retry: RetryPolicy;
  /**
   * Leases of the buffers that `sourceBytes` point into: each queued operation holds one until its
   * bytes are in a request body.
   */
  leases?: BufferLeases | undefined;
}

/** An item Elasticsearch refused for good (a 4xx other than 429): it goes to the dead-letter file. */
export interface RejectedItem {
  index: string;
  id: string;
  status: number;
  reason: string;
  /** The action and document as sent (for the dead letter). */
  raw: string;
}

/** What the sender did, counted per item outcome. */
export interface BulkCounts {
  indexed: number;
  deleted: number;
  /** Deletes of documents that were not there (a success). */
  notFound: number;
  /** Versioned writes older than the stored document (a 409 on an external version): left out. */
  stale: number;
  /** Item sends repeated after a 429/5xx item or a failed request. */
  retried: number;
  rejected: number;
  requests: number;
}

interface Serialized {
  op: EsOperation;
  /**
   * The action line and, for `index`, the document line, as bytes: made once when queued (retries
   * resend the same bytes). A document's bytes are used where they are (the parser thread's chunk)
   * until the first request body is built, which is their one copy; from then on they are a slice
   * of that body.
   */
  parts: readonly Uint8Array[];
  bytes: number;
  /** The leased buffer `parts` point into until the first body is built. */
  leased?: ArrayBufferLike | undefined;
}

const NEWLINE = Buffer.from('\n');

type BulkItem = Record<string, { status: number; error?: { type?: string; reason?: string } }>;

/**
 * Sends bulk operations: cut into requests by count and bytes, a few in flight, every item's result
 * read. 429 and 5xx items are retried alone with backoff and jitter; a request that fails as a whole
 * (refused, reset, timeout, 429/5xx) is retried whole; a versioned write older than the stored
 * document is stale (counted, not an error); other 4xx items are rejected (dead-lettered).
 * Operations on one document id are applied in the order given: a request waits for any request
 * still working on one of its ids (retries included).
 */
export class BulkSender {
  private queue: Serialized[] = [];
  private queuedBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly busyIds = new Map<string, Promise<void>>();
  private failure: unknown;
  private rejected: RejectedItem[] = [];
  readonly counts: BulkCounts = { indexed: 0, deleted: 0, notFound: 0, stale: 0, retried: 0, rejected: 0, requests: 0 };

  constructor(
    private readonly client: Client,
    private readonly o: BulkSenderOptions,
  ) {}

  /** Queues an operation; sends full requests, waiting while `maxInFlight` are out. */
  async add(op: EsOperation): Promise<void> {
    this.throwIfFailed();
    const meta = {
      _index: op.index,
      _id: op.id,
      ...(op.routing ? { routing: op.routing } : {}),
      ...(op.version !== undefined && op.action === 'index' ? { version: op.version, version_type: 'external_gte' } : {}),
    };
    const action = JSON.stringify({ [op.action]: meta });
    let parts: Uint8Array[];
    let leased: ArrayBufferLike | undefined;
    if (op.action !== 'index') parts = [Buffer.from(`${action}\n`)];
    else if (op.sourceBytes) {
      parts = [Buffer.from(`${action}\n`), op.sourceBytes, NEWLINE];
      if (this.o.leases) {
        leased = op.sourceBytes.buffer;
        this.o.leases.hold(leased);
      }
    } else parts = [Buffer.from(`${action}\n${JSON.stringify(op.source ?? {})}\n`)];
    const bytes = parts.reduce((n, b) => n + b.byteLength, 0);
    this.queue.push({ op, parts, bytes, leased });
    this.queuedBytes += bytes;
    if (this.queue.length >= this.o.batchSize || this.queuedBytes >= this.o.maxBytes) await this.sendQueued();
  }

  /** Sends what is queued and waits until every item is settled; throws if a request gave up. */
  async drain(): Promise<void> {
    if (this.queue.length > 0) await this.sendQueued();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.throwIfFailed();
  }

  /** Items refused since the last call. */
  takeRejected(): RejectedItem[] {
    const out = this.rejected;
    this.rejected = [];
    return out;
  }

  /** Forgets queued operations not sent yet (a rolled-back batch); sent ones cannot be recalled. */
  dropQueued(): void {
    for (const s of this.queue) this.release(s);
    this.queue = [];
    this.queuedBytes = 0;
  }

  /** Lets go of the chunk buffer an operation's document points into. */
  private release(s: Serialized): void {
    if (s.leased) this.o.leases?.drop(s.leased);
    s.leased = undefined;
  }

  private async sendQueued(): Promise<void> {
    const items = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    while (this.inFlight.size >= this.o.maxInFlight) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const waitFor = new Set<Promise<void>>();
    for (const s of items) {
      const busy = this.busyIds.get(s.op.id);
      if (busy) waitFor.add(busy);
    }
    const task = (async () => {
      if (waitFor.size > 0) await Promise.allSettled([...waitFor]);
      await this.sendWithRetries(items);
    })();
    const tracked = task.catch((err: unknown) => {
      this.failure ??= err;
    });
    for (const s of items) this.busyIds.set(s.op.id, tracked);
    this.inFlight.add(tracked);
    void tracked.finally(() => {
      this.inFlight.delete(tracked);
      for (const s of items) if (this.busyIds.get(s.op.id) === tracked) this.busyIds.delete(s.op.id);
    });
  }

  private async sendWithRetries(items: Serialized[]): Promise<void> {
    const started = Date.now();
    let pending = items;
    let attempt = 0;
    // The body of the last request that got an answer: every byte of it was sent (the items answer
    // all its operations), so it is freed as soon as no item to retry points into it. A body whose
    // request failed is left to the garbage collector: its connection may still hold it.
    let answeredBody: Buffer | undefined;
    while (pending.length > 0) {
      if (attempt > 0) {
        if (Date.now() - started > this.o.retry.budgetMs) {
          throw new SluiceError('SLUICE_E_SINK', `Elasticsearch: ${pending.length} item(s) still failing after ${Math.round((Date.now() - started) / 1000)} s of retries`, {
            because: 'bad_answer',
          });
        }
        this.counts.retried += pending.length;
        await sleep(retryDelayMs(this.o.retry, attempt));
      }
      attempt += 1;
      let items: BulkItem[];
      try {
        this.counts.requests += 1;
        // One Buffer per request: the client's own body building (string concatenation, then its
        // length, then a Buffer) cost more than the documents themselves.
        const body = Buffer.concat(
          pending.flatMap((s) => s.parts),
          pending.reduce((n, s) => n + s.bytes, 0),
        );
        this.rebase(pending, body);
        if (answeredBody) freeArrayBuffer(answeredBody.buffer);
        answeredBody = undefined;
        const res = await this.client.transport.request<{ items: BulkItem[] }>(
          { method: 'POST', path: '/_bulk', bulkBody: body },
          { headers: { 'content-type': COMPATIBLE_NDJSON } },
        );
        answeredBody = body;
        items = res.items;
      } catch (err) {
        if (retryableError(err)) continue;
        throw new SluiceError('SLUICE_E_SINK', `Elasticsearch bulk request failed: ${describeEsError(err)}`, { cause: err });
      }
      // An answer without its items cannot say what was stored: a fault of the server, not retried.
      if (!Array.isArray(items)) throw new SluiceError('SLUICE_E_SINK', 'Elasticsearch bulk answer has no items array', { because: 'bad_answer' });
      pending = this.settle(pending, items);
    }
    if (answeredBody) freeArrayBuffer(answeredBody.buffer);
  }

  /**
   * Points each item's bytes into `body` (a retry resends them from there) and lets go of the
   * chunk buffers they pointed into.
   */
  private rebase(items: Serialized[], body: Buffer): void {
    let at = 0;
    for (const s of items) {
      s.parts = [body.subarray(at, at + s.bytes)];
      at += s.bytes;
      this.release(s);
    }
  }

  /** Counts each item's outcome; returns the items to send again. */
  private settle(sent: Serialized[], items: BulkItem[]): Serialized[] {
    const again: Serialized[] = [];
    sent.forEach((s, i) => {
      const result = items[i] ? Object.values(items[i])[0] : undefined;
      const status = result?.status ?? 500;
      if (status < 300) {
        if (s.op.action === 'delete') this.counts.deleted += 1;
        else this.counts.indexed += 1;
      } else if (s.op.action === 'delete' && status === 404) {
        this.counts.notFound += 1;
      } else if (status === 409 && s.op.version !== undefined && result?.error?.type === 'version_conflict_engine_exception') {
        this.counts.stale += 1;
      } else if (retryableStatus(status)) {
        again.push(s);
      } else {
        this.counts.rejected += 1;
        const e = result?.error;
        this.rejected.push({
          index: s.op.index,
          id: s.op.id,
          status,
          reason: `${e?.type ?? 'error'}: ${e?.reason ?? `HTTP ${status}`}`,
          raw: Buffer.concat(s.parts).toString('utf8').trimEnd(),
        });
      }
    });
    return again;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
