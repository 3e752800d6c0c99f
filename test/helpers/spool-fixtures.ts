import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mulberry32 as prng } from './prng.js';

export { prng };

/** A pino-style log entry as the seed's services write them (see ../shared/data/pino/). */
export type AppLogEntry = Record<string, unknown>;

const LEVELS = [30, 30, 30, 30, 30, 30, 40, 50, 20, 60] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
const CONTEXTS = ['DealBotService', 'HttpLogger', 'AuthGuard', 'CacheService', 'DocumentsController'] as const;

/**
 * `count` entries shaped like the real samples (numeric pino level, time and timestamp, req with id,
 * method, url, query, params, headers, remote address and port; context, message, authUserId, ...),
 * starting at `startMs`, one every few milliseconds.
 */
export function appLogEntries(count: number, options: { seed: number; startMs: number }): AppLogEntry[] {
  const rnd = prng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: AppLogEntry[] = [];
  let t = options.startMs;
  for (let i = 0; i < count; i++) {
    t += 1 + Math.floor(rnd() * 20);
    const dealId = 100 + Math.floor(rnd() * 900);
    const method = pick(METHODS);
    out.push({
      level: pick(LEVELS),
      time: t,
      timestamp: new Date(t).toISOString(),
      pid: 81,
      hostname: 'c3dec45e-6434afe8-99fd-4d',
      req: {
        id: 9000 + i,
        method,
        url: `/deals/${dealId}/bot/query`,
        query: rnd() < 0.3 ? { page: String(1 + Math.floor(rnd() * 5)) } : {},
        params: { '0': `deals/${dealId}/bot/query` },
        headers: {
          host: 'api.example.dev',
          'x-forwarded-for': `9.142.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`,
          'user-agent': 'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko)\tMobile',
          accept: 'application/json, text/plain, */*',
        },
        remoteAddress: '::ffff:10.0.229.154',
        remotePort: 40000 + Math.floor(rnd() * 20000),
      },
      context: pick(CONTEXTS),
      message: rnd() < 0.1 ? 'multi\nline "quoted" \\ message' : `Processing ${method} for deal ${dealId}`,
      authUserId: 1000 + Math.floor(rnd() * 5000),
      processingTimeMs: Math.round(rnd() * 50000) / 100,
      cacheHit: rnd() < 0.5,
      documentCount: Math.floor(rnd() * 40),
    });
  }
  return out;
}

/** A unit name as the seed's services write them: `2025-04-01T18-28-18.671Z-<uuid>.json.gz`. */
export function unitName(atMs: number, seed: number, ext = '.json.gz'): string {
  const rnd = prng(seed ^ 0x5bd1e995);
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${new Date(atMs).toISOString().replace(/:/g, '-')}-${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}${ext}`;
}

/** Writes a value as gzipped JSON (creating folders). */
export function writeGzJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(Buffer.from(JSON.stringify(value))));
}

/** Writes raw bytes gzipped (for damaged units). */
export function writeGzText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(Buffer.from(text)));
}

/** One generated unit: its name and entries. */
export interface GeneratedUnit {
  name: string;
  entries: AppLogEntry[];
}

/**
 * `units` gzipped applog files of `perUnit` entries each in `dir`, an hour apart from 2025-04-01, in a
 * shuffled write order (so file-system order says nothing about time order).
 */
export function writeAppLogUnits(dir: string, units: number, perUnit: number, seed = 1): GeneratedUnit[] {
  const base = Date.parse('2025-04-01T00:00:00.000Z');
  const made: GeneratedUnit[] = [];
  for (let u = 0; u < units; u++) {
    const at = base + u * 3_600_000 + (u % 7) * 1000;
    made.push({ name: unitName(at, seed * 100_003 + u), entries: appLogEntries(perUnit, { seed: seed * 7919 + u, startMs: at - 60_000 }) });
  }
  const order = [...made].sort((a, b) => (a.name.slice(-20) < b.name.slice(-20) ? -1 : 1));
  for (const m of order) writeGzJson(`${dir}/${m.name}`, m.entries);
  return made;
}
