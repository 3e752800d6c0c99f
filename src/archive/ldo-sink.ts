import { SluiceError } from '../core/errors.js';
import { HttpError } from '../server/http-error.js';
import type { LdoService } from '../server/ldo-service.js';

/** What became of one row sent. */
export type SendOutcome = { kind: 'stored' | 'replayed'; id: string } | { kind: 'conflict'; id: string; message: string };

/** Where archived rows go: the upload service over HTTP, or a store written directly. */
export interface LdoSink {
  /** Stores one metadata-only LDO under an idempotency key; resolves once it is acknowledged. */
  send(metadata: Record<string, unknown>, key: string): Promise<SendOutcome>;
}

const RETRIES = 4;

/** `POST /ingest/ldo` with only `metadata`, retried on network errors and 5xx. */
export class HttpLdoSink implements LdoSink {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  async send(metadata: Record<string, unknown>, key: string): Promise<SendOutcome> {
    let lastError = '';
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      const form = new FormData();
      form.append('metadata', JSON.stringify(metadata));
      let res: Response;
      try {
        res = await fetch(new URL('/ingest/ldo', this.baseUrl), {
          method: 'POST',
          body: form,
          headers: { 'idempotency-key': key, ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
        });
      } catch (err) {
        lastError = (err as Error).message;
        continue;
      }
      const body = (await res.json().catch(() => ({}))) as { id?: string; message?: string };
      if (res.status === 200 && body.id) return { kind: res.headers.get('idempotent-replayed') ? 'replayed' : 'stored', id: body.id };
      if (res.status === 409) return { kind: 'conflict', id: body.id ?? '', message: body.message ?? 'conflict' };
      if (res.status >= 500) {
        lastError = `${res.status} ${body.message ?? ''}`;
        continue;
      }
      throw new SluiceError('SLUICE_E_ARCHIVE', `the service refused row ${key}: ${res.status} ${body.message ?? ''}`);
    }
    throw new SluiceError('SLUICE_E_ARCHIVE', `the service did not acknowledge row ${key} after ${RETRIES} tries: ${lastError}`);
  }
}

/** Writes into a store and registry directly, as the service would. */
export class StoreLdoSink implements LdoSink {
  constructor(private readonly service: LdoService) {}

  async send(metadata: Record<string, unknown>, key: string): Promise<SendOutcome> {
    const session = this.service.begin();
    try {
      session.setMetadata(JSON.stringify(metadata));
      const r = await session.finish(key);
      return { kind: r.replayed ? 'replayed' : 'stored', id: r.entry.id };
    } catch (err) {
      await session.abort();
      if (err instanceof HttpError && err.code === 'ldo_conflict') return { kind: 'conflict', id: String(err.extra.id ?? ''), message: err.message };
      throw err;
    }
  }
}
