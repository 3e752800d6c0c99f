import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The cookie a browser keeps the key in after opening `/?key=K` once. */
export const KEY_COOKIE = 'sluice_key';

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function cookieKey(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === KEY_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Checks a request against the API keys, as `serve` does (`Authorization: Bearer K`, `X-API-Key: K`),
 * and also the way a browser can send one: `?key=K` on a page (then kept in an HttpOnly, same-site
 * cookie) or that cookie. Returns false (the caller answers 401) when keys are set and none matches.
 */
export function dashboardKeyCheck(keys: readonly string[]): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const digests = keys.map(digest);
  return (request, reply) => {
    if (digests.length === 0) return true;
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const xKey = request.headers['x-api-key'];
    const query = (request.query as Record<string, unknown> | undefined)?.key;
    const fromQuery = typeof query === 'string' ? query : undefined;
    const given = bearer ?? (typeof xKey === 'string' ? xKey : undefined) ?? fromQuery ?? cookieKey(request.headers.cookie);
    if (given === undefined) return false;
    const d = digest(given);
    if (!digests.some((k) => timingSafeEqual(k, d))) return false;
    if (fromQuery !== undefined) {
      void reply.header('set-cookie', `${KEY_COOKIE}=${encodeURIComponent(fromQuery)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    return true;
  };
}
