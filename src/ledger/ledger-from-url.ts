import { SluiceError } from '../core/errors.js';
import type { Ledger } from './ledger.js';
import { SqliteLedger } from './sqlite-ledger.js';

/**
 * The ledger a `--ledger` URL names: `sqlite:PATH` or `postgres://...`. `sqlitePageSize` is the page
 * size of a SQLite file the ledger creates (when it shares the sink's database, the sink's choice).
 */
export async function ledgerFromUrl(url: string, sqlitePageSize?: number): Promise<Ledger> {
  if (url.startsWith('sqlite:')) return new SqliteLedger(url.slice('sqlite:'.length), sqlitePageSize);
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresLedger } = await import('./postgres-ledger.js');
    return new PostgresLedger(url);
  }
  throw new SluiceError('SLUICE_E_CONFIG', `--ledger: unsupported URL "${url}"; expected sqlite:PATH or postgres://...`);
}
