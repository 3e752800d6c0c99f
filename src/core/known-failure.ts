import { SluiceError } from './errors.js';

/** PostgreSQL SQLSTATEs that mean the command names something that is not there, or may not get in. */
const PG_NOT_THERE: Readonly<Record<string, string>> = {
  '3D000': 'no such database',
  '42P01': 'no such table',
  '42703': 'no such column',
  '3F000': 'no such schema',
  '28P01': 'the password was refused',
  '28000': 'the role may not connect',
};

/** Socket errors of a service that cannot be reached at the address given. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * A failure that is not a `SluiceError` but whose cause is known and the user's to fix (a database,
 * table or column that does not exist, a port nothing listens on, missing S3 credentials), as a
 * coded usage error; anything else stays as it is (an unexpected failure, a bug).
 */
export function knownFailure(err: unknown): SluiceError | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof SluiceError) return e;
    const code = (e as { code?: unknown }).code;
    const what = typeof code === 'string' ? PG_NOT_THERE[code] : undefined;
    if (what !== undefined) {
      return new SluiceError('SLUICE_E_CONFIG', `PostgreSQL: ${what}: ${e.message}; check the postgres:// URL and the names the command was given`, { cause: err });
    }
    if (typeof code === 'string' && UNREACHABLE.has(code)) {
      return new SluiceError('SLUICE_E_CONFIG', `cannot reach a service the command was pointed at: ${e.message}; check the host and port of the URLs given (--into, --from, --to, --ledger, --registry, --s3-endpoint)`, { cause: err });
    }
    if (e.name === 'CredentialsProviderError') {
      return new SluiceError('SLUICE_E_CONFIG', `S3: no credentials (${e.message}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`, { cause: err });
    }
    if (e instanceof AggregateError) {
      // A connection to a host with several addresses fails with one error per address.
      for (const inner of e.errors) {
        const known = knownFailure(inner);
        if (known) return new SluiceError(known.code, known.message, { cause: err });
      }
    }
  }
  return undefined;
}
