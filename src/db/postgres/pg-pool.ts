import pg from 'pg';
import { SluiceError } from '../../core/errors.js';

/**
 * A pool for a `postgres://` URL. A `schema=NAME` query parameter (Sluice's own, not libpq's) puts
 * every table in that schema, created if missing: tenants, tests and bench runs stay apart.
 */
export function createPgPool(url: string, max = 4): { pool: pg.Pool; schema: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SluiceError('SLUICE_E_CONFIG', `not a PostgreSQL URL: ${redact(url)} (expected postgres://user@host:5432/db)`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new SluiceError('SLUICE_E_CONFIG', `schema=${schema}: expected letters, digits and underscores`);
  }
  parsed.searchParams.delete('schema');
  // The schema is the connection's search path from its start-up packet (libpq's `options`, after any
  // the URL gives): no query of its own, so none runs beside the borrower's first one.
  const given = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  const options = [given, schema !== undefined ? `-c search_path="${schema}"` : undefined].filter((o) => o).join(' ');
  const pool = new pg.Pool({ connectionString: parsed.toString(), max, ...(options !== '' ? { options } : {}) });
  // An idle client whose server went away (a restart) emits 'error'; unheard, it would end the
  // process. The pool drops that client; the next query fails or reconnects, and callers decide.
  pool.on('error', () => undefined);
  // The same for a client checked out when its connection dies (the pool listens only to idle ones):
  // its query in flight is rejected, which is what the borrower acts on.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { pool, schema };
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
