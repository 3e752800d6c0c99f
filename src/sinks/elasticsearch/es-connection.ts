import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import { SluiceError } from '../../core/errors.js';

/** How Sluice reaches an Elasticsearch cluster. */
export interface EsConnectionSettings {
  /** `https://host:9200` (or http for a local cluster). */
  url: string;
  /** API key (`ELASTICSEARCH_API_KEY`), sent as `Authorization: ApiKey ...`; never logged. */
  apiKey?: string | undefined;
  /** Accept any certificate (local development only). */
  skipTlsVerify?: boolean | undefined;
  /** PEM file of the CA that signed the cluster's certificate. */
  caCert?: string | undefined;
  /** Longest wait for one request, in ms. */
  requestTimeoutMs?: number | undefined;
}

const COMPATIBLE_JSON = 'application/vnd.elasticsearch+json; compatible-with=8';

/** Content type of `_bulk` bodies that 8.x and 9.x clusters both accept. */
export const COMPATIBLE_NDJSON = 'application/vnd.elasticsearch+x-ndjson; compatible-with=8';

/**
 * The official client, with its own retries off: Sluice retries per item and per request with its
 * own backoff (bulk-sender.ts), so a failure is never retried twice over.
 */
export function createEsClient(s: EsConnectionSettings): Client {
  let ca: string | undefined;
  if (s.caCert) {
    try {
      ca = readFileSync(s.caCert, 'utf8');
    } catch (err) {
      throw new SluiceError('SLUICE_E_CONFIG', `--ca-cert: cannot read ${s.caCert}: ${(err as Error).message}`, { cause: err });
    }
  }
  const tls = s.skipTlsVerify ? { rejectUnauthorized: false } : ca ? { ca } : undefined;
  return new Client({
    node: s.url,
    // Client 9 asks for REST compatibility with 9, which 8.x clusters refuse; 9.x clusters accept 8.
    headers: { accept: COMPATIBLE_JSON, 'content-type': COMPATIBLE_JSON },
    auth: s.apiKey ? { apiKey: s.apiKey } : undefined,
    tls,
    maxRetries: 0,
    requestTimeout: s.requestTimeoutMs ?? 60_000,
    compression: false,
  });
}

/** The URL without credentials, for logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
