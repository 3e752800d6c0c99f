import { resolve } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { createS3Client, parseS3Url, s3SettingsFrom, type S3Settings } from '../../s3/s3-client.js';
import { FolderStore } from './folder-store.js';
import type { LdoStore } from './ldo-store.js';
import { S3Store } from './s3-store.js';

/** The store a `--store` URL names: `file:DIR` or `s3://bucket/prefix`. */
export function openStore(url: string, s3Flags: Partial<S3Settings> = {}, env: NodeJS.ProcessEnv = process.env): LdoStore {
  if (url.startsWith('file:')) return new FolderStore(resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')));
  const s3 = parseS3Url(url);
  if (s3 && s3.bucket !== '') return new S3Store(createS3Client(s3SettingsFrom(s3Flags, env)), s3.bucket, s3.prefix);
  throw new SluiceError('SLUICE_E_CONFIG', `--store: "${url}" is neither file:DIR nor s3://bucket/prefix`);
}

/** The folder of a `file:` store URL, or undefined for S3. */
export function storeFolder(url: string): string | undefined {
  return url.startsWith('file:') ? resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, '')) : undefined;
}
