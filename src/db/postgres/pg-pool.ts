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
  const pool = new pg.Pool({ connectionString: parsed.toString(), max });
  // An idle client whose server went away (a restart) emits 'error'; unheard, it would end the
  // process. The pool drops that client; the next query fails or reconnects, and callers decide.
  pool.on('error', () => undefined);
  // The same for a client checked out when its connection dies (the pool listens only to idle ones):
  // its query in flight is rejected, which is what the borrower acts on.
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (schema) {
    pool.on('connect', (client) => {
      // Queued before any query of the borrower; the schema itself is created by the migrations.
      client.query(`SET search_path TO "${schema}"`).catch(() => undefined);
    });
  }
  return { pool, schema };
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
