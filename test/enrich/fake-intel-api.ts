import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake API received. */
export interface SeenRequest {
  path: string;
  at: number;
  headers: Record<string, string | string[] | undefined>;
}

/** What the fake answers for a key, beyond the default: `429` once (Retry-After seconds) or always 500. */
export interface FakeRules {
  /** sha256 → malicious count; absent hashes answer 404 NotFoundError as VirusTotal does. */
  vt: Record<string, number>;
  /** ip → attacks/count; absent IPs answer DShield's "never seen" shape (nulls). */
  dshield: Record<string, number>;
  /** path → how many 429s to answer before the real answer, with this Retry-After ('' for none). */
  tooMany?: Record<string, { times: number; retryAfter: string }>;
  /** paths that answer 500. */
  failing?: Set<string>;
}

/**
 * A local stand-in for VirusTotal v3 (`/api/v3/files/{id}`, `x-apikey`) and DShield
 * (`/api/ip/{ip}?json`), answering in their documented shapes.
 */
export async function startFakeIntelApi(rules: FakeRules): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const served429 = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    seen.push({ path, at: performance.now(), headers: req.headers });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const tm = rules.tooMany?.[path];
    if (tm && (served429.get(path) ?? 0) < tm.times) {
      served429.set(path, (served429.get(path) ?? 0) + 1);
      send(429, { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } }, tm.retryAfter ? { 'retry-after': tm.retryAfter } : {});
      return;
    }
    if (rules.failing?.has(path)) {
      send(500, { error: { code: 'InternalError', message: 'boom' } });
      return;
    }
    const vt = /^\/api\/v3\/files\/([^/?]+)$/.exec(path);
    if (vt) {
      if (req.headers['x-apikey'] !== 'test-vt-key') {
        send(401, { error: { code: 'WrongCredentialsError', message: 'Wrong API key' } });
        return;
      }
      const id = decodeURIComponent(vt[1] ?? '');
      const malicious = rules.vt[id];
      if (malicious === undefined) {
        send(404, { error: { code: 'NotFoundError', message: `File "${id}" not found` } });
        return;
      }
      send(200, {
        data: {
          id,
          type: 'file',
          attributes: {
            sha256: id,
            last_analysis_stats: { malicious, suspicious: 0, undetected: 60 - malicious, harmless: 0, timeout: 0 },
          },
        },
      });
      return;
    }
    const ds = /^\/api\/ip\/([^/?]+)\?json$/.exec(path);
    if (ds) {
      const ip = decodeURIComponent(ds[1] ?? '');
      const n = rules.dshield[ip];
      send(200, {
        ip: {
          number: ip,
          count: n ?? null,
          attacks: n ?? null,
          maxdate: n ? '2024-01-02' : null,
          mindate: n ? '2024-01-01' : null,
          updated: n ? '2024-01-02 10:00:00' : null,
          comment: null,
          maxrisk: null,
          asabusecontact: 'abuse@example.net',
          as: 64500,
          asname: 'EXAMPLE',
          ascountry: 'ZZ',
          assize: 256,
          network: '203.0.113.0/24',
        },
      });
      return;
    }
    send(404, { error: 'no such endpoint' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
