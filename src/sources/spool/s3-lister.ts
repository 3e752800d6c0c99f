import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3ServiceException, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { SluiceError } from '../../core/errors.js';
import type { DiscoveredUnit } from '../../ledger/ledger.js';
import { assertUnchanged, sortKeyOf, UNIT_NAME, type UnitLister } from './unit-lister.js';

/** An object's version: its ETag (a re-upload with other content changes it), else its size. */
function objectVersion(etag: string | undefined, size: number | undefined): string {
  return etag ?? `${size ?? 0}`;
}

/** Whether S3 answered with this HTTP status. */
function hasStatus(err: unknown, status: number): boolean {
  return err instanceof S3ServiceException && err.$metadata.httpStatusCode === status;
}

/** A connection lost mid-answer, as opposed to an endpoint never reached (a usage error, coded by `knownFailure`). */
const LOST_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
/** An endpoint nothing answers at: left as it is, for `knownFailure` to name the URL to fix (exit 2). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * A failed listing as one coded line: what S3 answered (status and its error code), or that the
 * connection was lost. An endpoint that cannot be reached at all is thrown unchanged.
 */
function listingError(where: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof SluiceError || (typeof code === 'string' && UNREACHABLE.has(code))) return err;
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (typeof code === 'string' && LOST_CONNECTION.has(code)) {
    return new SluiceError('SLUICE_E_SOURCE', `listing ${where} failed: ${code} ${message}`, { cause: err, because: 'lost_connection' });
  }
  const status = err instanceof S3ServiceException ? ` (HTTP ${err.$metadata.httpStatusCode ?? '?'} ${err.name})` : '';
  return new SluiceError('SLUICE_E_SOURCE', `listing ${where} failed${status}: ${message}`, { cause: err, because: 'bad_answer' });
}

/** An S3 prefix: listed page by page with continuation tokens; objects streamed, never buffered whole. */
export class S3Lister implements UnitLister {
  /** ETags of the objects read, by key, until `--after` takes them. */
  private readonly read = new Map<string, string>();

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly prefix: string,
    private readonly names: RegExp = UNIT_NAME,
  ) {}

  async *list(): AsyncIterable<DiscoveredUnit[]> {
    let token: string | undefined;
    do {
      const page = await this.listPage(token);
      const units: DiscoveredUnit[] = [];
      for (const o of page.Contents ?? []) {
        if (!o.Key || !this.names.test(o.Key)) continue;
        units.push({ bucket: this.bucket, key: o.Key, size: o.Size ?? 0, sortKey: sortKeyOf(o.Key, o.LastModified ?? new Date(0)), version: objectVersion(o.ETag, o.Size) });
      }
      yield units;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** One page of the listing; a failure (after the SDK's own retries) is a coded error naming the prefix. */
  private async listPage(token: string | undefined): Promise<ListObjectsV2CommandOutput> {
    try {
      return await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }));
    } catch (err) {
      throw listingError(`s3://${this.bucket}/${this.prefix}`, err);
    }
  }

  takeVersionRead(key: string): string | undefined {
    const version = this.read.get(key);
    this.read.delete(key);
    return version;
  }

  async versionOf(key: string): Promise<string | undefined> {
    const head = await this.head(key);
    return head && objectVersion(head.etag, head.size);
  }

  async remove(key: string, version: string | undefined): Promise<void> {
    const head = await this.head(key);
    if (!head) return; // gone already
    assertUnchanged(key, version, objectVersion(head.etag, head.size));
    // A re-upload between this check and the delete is not seen (S3's conditional delete, If-Match,
    // is not sent: S3-compatible stores differ on it, and one that refuses it would keep every unit).
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** The object's ETag and size now; undefined when there is no such object. */
  private async head(key: string): Promise<{ etag: string | undefined; size: number | undefined } | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: r.ETag, size: r.ContentLength };
    } catch (err) {
      if (hasStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async open(key: string): Promise<Readable> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!(r.Body instanceof Readable)) throw new SluiceError('SLUICE_E_SOURCE', `s3://${this.bucket}/${key}: no body`);
    // The ETag of exactly the bytes streamed: the version that is ingested.
    this.read.set(key, objectVersion(r.ETag, r.ContentLength));
    return r.Body;
  }
}
