// Generated app-log entries (pino-style, like ../shared/data/pino) for the benchmarks: deterministic
// for a seed, so two runs load the same rows.
import { mulberry32 as prng } from './generate-bridge-events.mjs';

const LEVELS = [30, 30, 30, 30, 30, 30, 40, 50, 20, 60];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const CONTEXTS = ['DealBotService', 'HttpLogger', 'AuthGuard', 'CacheService', 'DocumentsController'];

/** Yields `count` entries from `startMs` on, the same ones for the same seed. */
export function* applogEntries(count, seed, startMs) {
  const rnd = prng(seed);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  let t = startMs;
  for (let i = 0; i < count; i++) {
    t += 1 + Math.floor(rnd() * 20);
    const deal = 100 + Math.floor(rnd() * 900);
    const method = pick(METHODS);
    yield {
      level: pick(LEVELS),
      time: t,
      timestamp: new Date(t).toISOString(),
      pid: 81,
      hostname: 'c3dec45e-6434afe8-99fd-4d',
      req: {
        id: 9000 + i,
        method,
        url: `/deals/${deal}/bot/query`,
        query: {},
        params: { 0: `deals/${deal}/bot/query` },
        headers: {
          host: 'api.example.dev',
          'x-forwarded-for': `9.142.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`,
          'user-agent': 'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36',
          accept: 'application/json, text/plain, */*',
          'content-type': 'application/json',
        },
        remoteAddress: '::ffff:10.0.229.154',
        remotePort: 40000 + Math.floor(rnd() * 20000),
      },
      context: pick(CONTEXTS),
      message: `Processing ${method} for deal ${deal}`,
      authUserId: 1000 + Math.floor(rnd() * 5000),
      processingTimeMs: Math.round(rnd() * 50000) / 100,
      cacheHit: rnd() < 0.5,
      documentCount: Math.floor(rnd() * 40),
    };
  }
}
