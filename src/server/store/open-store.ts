import { resolve } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { parseS3Url } from '../../s3/s3-url.js';
import type { S3Settings } from '../../s3/s3-client.js';
import { FolderStore } from './folder-store.js';
import type { LdoStore } from './ldo-store.js';

/**
 * The store a `--store` URL names: `file:DIR` or `s3://bucket/prefix`. The AWS SDK is loaded only
 * for an S3 store: a folder store's `serve` started in about 0.4 s less CPU without it.
 */
export async function openStore(url: string, s3Flags: Partial<S3Settings> = {}, env: NodeJS.ProcessEnv = process.env): Promise<LdoStore> {
  if (url.startsWith('file:')) return new FolderStore(resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')));
  const s3 = parseS3Url(url);
  if (s3 && s3.bucket !== '') {
    const [{ createS3Client, s3SettingsFrom }, { S3Store }] = await Promise.all([import('../../s3/s3-client.js'), import('./s3-store.js')]);
    return new S3Store(createS3Client(s3SettingsFrom(s3Flags, env)), s3.bucket, s3.prefix);
  }
  throw new SluiceError('SLUICE_E_CONFIG', `--store: "${url}" is neither file:DIR nor s3://bucket/prefix`);
}

/** The folder of a `file:` store URL, or undefined for S3. */
export function storeFolder(url: string): string | undefined {
  return url.startsWith('file:') ? resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')) : undefined;
}
