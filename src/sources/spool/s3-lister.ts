import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { SluiceError } from '../../core/errors.js';
import type { DiscoveredUnit } from '../../ledger/ledger.js';
import { sortKeyOf, UNIT_NAME, type UnitLister } from './unit-lister.js';

/** An S3 prefix: listed page by page with continuation tokens; objects streamed, never buffered whole. */
export class S3Lister implements UnitLister {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly prefix: string,
    private readonly names: RegExp = UNIT_NAME,
  ) {}

  async *list(): AsyncIterable<DiscoveredUnit[]> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }));
      const units: DiscoveredUnit[] = [];
      for (const o of page.Contents ?? []) {
        if (!o.Key || !this.names.test(o.Key)) continue;
        units.push({ bucket: this.bucket, key: o.Key, size: o.Size ?? 0, sortKey: sortKeyOf(o.Key, o.LastModified ?? new Date(0)), version: o.ETag ?? `${o.Size ?? 0}` });
      }
      yield units;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async open(key: string): Promise<Readable> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!(r.Body instanceof Readable)) throw new SluiceError('SLUICE_E_SOURCE', `s3://${this.bucket}/${key}: no body`);
    return r.Body;
  }
}
