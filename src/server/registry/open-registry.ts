import { join } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { storeFolder } from '../store/open-store.js';
import type { LdoRegistry } from './ldo-registry.js';
import { SqliteRegistry } from './sqlite-registry.js';

/** The registry URL to use: the flag, else `sqlite:<store>/.sluice/registry.db` for a folder store. */
export function registryUrlFor(registry: string | undefined, store: string): string {
  if (registry !== undefined) return registry;
  const folder = storeFolder(store);
  if (folder === undefined) {
    throw new SluiceError('SLUICE_E_CONFIG', '--registry: an s3:// store needs --registry sqlite:PATH or postgres://URL');
  }
  return `sqlite:${join(folder, '.sluice', 'registry.db')}`;
}

/** Opens `sqlite:PATH` or `postgres://URL[?schema=NAME]` (the PostgreSQL client is loaded only for the latter). */
export async function openRegistry(url: string): Promise<LdoRegistry> {
  if (url.startsWith('sqlite:')) return new SqliteRegistry(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) return (await import('./postgres-registry.js')).PostgresRegistry.open(url);
  throw new SluiceError('SLUICE_E_CONFIG', `--registry: "${url}" is neither sqlite:PATH nor postgres://URL`);
}
