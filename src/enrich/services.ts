import { isIP } from 'node:net';
import type { HttpAnswer } from './http-get.js';

/** What one answer says about a key: cache it (flagged or not), or count an error and retry next run. */
export type Verdict = { kind: 'result'; flagged: boolean; known: boolean } | { kind: 'error'; reason: string };

/** One lookup service: which keys it takes, how to ask, how to read the answer. */
export interface EnrichService {
  /** Name in `enrichment_cache.service` and in the summary. */
  name: 'vt' | 'dshield';
  /** Distinct keys to look up, from the ingested tables (normalised as cached). */
  keysSql: string;
  /** Whether a key is well formed (others are skipped, never sent). */
  validKey(key: string): boolean;
  url(base: string, key: string): string;
  headers: Record<string, string>;
  read(answer: HttpAnswer): Verdict;
  /** Sets the session flag from the cache. */
  flagColumn: 'vt_flagged' | 'dshield_flagged';
  /** Sessions with a flagged key: `session_id` rows. */
  flaggedSessionsSql: string;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : 0;
}

function field(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/**
 * VirusTotal v3 file report: `GET /api/v3/files/{hash}` with header `x-apikey`. 200 carries
 * `data.attributes.last_analysis_stats.malicious`; flagged when it is above 0. 404 (`NotFoundError`)
 * means VirusTotal has never seen the file: cached as unknown, not flagged.
 */
export function virusTotal(apiKey: string): EnrichService {
  return {
    name: 'vt',
    keysSql: `SELECT DISTINCT lower(shasum) AS key FROM session_downloads WHERE shasum IS NOT NULL AND shasum <> ''`,
    validKey: (k) => /^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/.test(k),
    url: (base, key) => `${base}/api/v3/files/${encodeURIComponent(key)}`,
    headers: { 'x-apikey': apiKey, accept: 'application/json' },
    read(answer) {
      if (answer.status === 404) return { kind: 'result', flagged: false, known: false };
      if (answer.status !== 200) return { kind: 'error', reason: `HTTP ${answer.status}` };
      const stats = field(answer.json, 'data', 'attributes', 'last_analysis_stats');
      if (stats === undefined || stats === null || typeof stats !== 'object') {
        return { kind: 'error', reason: 'answer without data.attributes.last_analysis_stats' };
      }
      return { kind: 'result', flagged: num(field(stats, 'malicious')) > 0, known: true };
    },
    flagColumn: 'vt_flagged',
    flaggedSessionsSql: `SELECT d.session_id FROM session_downloads d
      JOIN enrichment_cache c ON c.service = 'vt' AND c.key = lower(d.shasum) AND c.flagged = 1`,
  };
}

/**
 * DShield (SANS ISC) IP report: `GET /api/ip/{ip}?json` answers `{"ip": {"number": ..., "count": ...,
 * "attacks": ..., "mindate": ..., "maxdate": ..., ...}}`; `count` (reports) and `attacks` (targets) are
 * null for an address DShield has not seen. Flagged when either is above 0. No key is needed; ISC
 * asks clients to name a contact, so DSHIELD_EMAIL goes into the User-Agent when set.
 */
export function dshield(email: string | undefined): EnrichService {
  return {
    name: 'dshield',
    keysSql: `SELECT DISTINCT src_ip AS key FROM session_metrics WHERE src_ip IS NOT NULL AND src_ip <> ''`,
    validKey: (k) => isIP(k) !== 0,
    url: (base, key) => `${base}/api/ip/${encodeURIComponent(key)}?json`,
    headers: {
      accept: 'application/json',
      'user-agent': email ? `sluice-enrich (${email})` : 'sluice-enrich',
    },
    read(answer) {
      if (answer.status !== 200) return { kind: 'error', reason: `HTTP ${answer.status}` };
      const ip = field(answer.json, 'ip');
      if (ip === null || typeof ip !== 'object') return { kind: 'error', reason: 'answer without an "ip" object' };
      const attacks = num(field(ip, 'attacks'));
      const count = num(field(ip, 'count'));
      const known = field(ip, 'count') != null || field(ip, 'attacks') != null;
      return { kind: 'result', flagged: attacks > 0 || count > 0, known };
    },
    flagColumn: 'dshield_flagged',
    flaggedSessionsSql: `SELECT m.session_id FROM session_metrics m
      JOIN enrichment_cache c ON c.service = 'dshield' AND c.key = m.src_ip AND c.flagged = 1`,
  };
}
