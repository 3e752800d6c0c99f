import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

/** Routes anyone may call (load balancer probes). */
const OPEN_ROUTES = new Set(['/health']);

/**
 * Checks `Authorization: Bearer K` or `X-API-Key: K` against the keys, in constant time. With no keys
 * every request passes (the CLI only allows that on loopback, or with `--no-auth`).
 */
export function apiKeyCheck(keys: readonly string[]): (request: FastifyRequest) => void {
  const digests = keys.map(digest);
  return (request) => {
    if (digests.length === 0 || OPEN_ROUTES.has(request.routeOptions.url ?? '')) return;
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const xKey = request.headers['x-api-key'];
    const given = bearer ?? (typeof xKey === 'string' ? xKey : undefined);
    if (given !== undefined) {
      const d = digest(given);
      if (digests.some((k) => timingSafeEqual(k, d))) return;
    }
    throw new HttpError('unauthorized', 'send an API key as "Authorization: Bearer KEY" or "X-API-Key: KEY"');
  };
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
