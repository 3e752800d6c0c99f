import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { SluiceError } from '../core/errors.js';
import type { TelemetryBus } from '../core/telemetry-bus.js';
import { COWRIE_SQLITE_MIGRATIONS } from '../profiles/cowrie/schema.js';
import { openSqliteDatabase } from '../db/sqlite/open-database.js';
import { migrate } from '../db/sqlite/schema-versions.js';
import { applyFlags } from './apply-flags.js';
import type { EnrichConfig } from './enrich-config.js';
import { emptyServiceSummary, type EnrichSummary, type ServiceSummary } from './enrich-summary.js';
import { EnrichmentCache } from './enrichment-cache.js';
import { rateLimitedGet } from './http-get.js';
import { dshield, virusTotal, type EnrichService } from './services.js';
import { TokenBucket } from './token-bucket.js';

/** Enrich waits this long for a running ingest's write transaction before failing. */
const BUSY_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_429_RETRIES = 6;

export interface EnrichEnv {
  VT_API_KEY?: string;
  DSHIELD_EMAIL?: string;
}

/**
 * `sluice enrich`: looks up the database's file hashes (VirusTotal) and source IPs (DShield) that
 * have no fresh cached answer, caches each answer, then sets the session flags from the cache.
 * Runs beside an ingest: its own connection, short write transactions, a long busy timeout.
 */
/** What the run reports to and stops on (the common harness gives both). */
export interface EnrichRun {
  /** Lookups are counted as read, cached answers as written, failed lookups as bad. */
  bus?: TelemetryBus | undefined;
  /** A stop request ends the lookups after the one in hand; the flags are still set from what is cached. */
  stop?: AbortSignal | undefined;
}

export async function runEnrich(config: EnrichConfig, env: EnrichEnv, run: EnrichRun = {}): Promise<EnrichSummary> {
  const started = performance.now();
  const db = openEnrichDatabase(config.db, config.dryRun);
  try {
    const services: { service: EnrichService | null; base: string; rate: number; summary: ServiceSummary }[] = [];
    const vtKey = env.VT_API_KEY?.trim();
    const vt = emptyServiceSummary('vt');
    if (!vtKey) vt.disabled = 'VT_API_KEY is not set';
    services.push({ service: vtKey ? virusTotal(vtKey) : null, base: config.vtUrl, rate: config.vtRatePerMin, summary: vt });
    services.push({
      service: dshield(env.DSHIELD_EMAIL?.trim() || undefined),
      base: config.dshieldUrl,
      rate: config.dshieldRatePerMin,
      summary: emptyServiceSummary('dshield'),
    });

    const cache = new EnrichmentCache(db);
    const freshSince = new Date(Date.now() - config.ttlHours * 3_600_000).toISOString();
    // The services have separate limits: they run side by side, each one request at a time.
    await Promise.all(
      services.map(async ({ service, base, rate, summary }) => {
        if (!service) return;
        await lookUp(service, base, new TokenBucket(rate), cache, freshSince, config, summary, run);
      }),
    );
    for (const { service, summary } of services) {
      if (!service) continue;
      summary.flaggedSessions = config.dryRun
        ? (db.prepare(`SELECT count(*) FROM session_metrics WHERE ${service.flagColumn} = 1`).pluck().get() as number)
        : applyFlags(db, service).flagged;
    }
    return {
      db: config.db,
      dryRun: config.dryRun,
      elapsedSec: (performance.now() - started) / 1000,
      services: services.map((s) => s.summary),
    };
  } finally {
    db.close();
  }
}

async function lookUp(
  service: EnrichService,
  base: string,
  bucket: TokenBucket,
  cache: EnrichmentCache,
  freshSince: string,
  config: EnrichConfig,
  summary: ServiceSummary,
  run: EnrichRun,
): Promise<void> {
  summary.keys = cache.countKeys(service.keysSql);
  const stale = cache.staleKeys(service.name, service.keysSql, freshSince);
  summary.cached = summary.keys - stale.length;
  const valid = stale.filter((k) => service.validKey(k));
  summary.skipped = stale.length - valid.length;
  const todo = config.limit > 0 ? valid.slice(0, config.limit) : valid;
  summary.deferred = valid.length - todo.length;
  if (config.dryRun) {
    summary.fetched = todo.length;
    return;
  }
  for (const key of todo) {
    if (run.stop?.aborted) {
      summary.deferred += todo.length - todo.indexOf(key);
      return;
    }
    run.bus?.add('read', 1);
    let verdict;
    let body: unknown = null;
    try {
      const answer = await rateLimitedGet(service.url(base, key), {
        headers: service.headers,
        bucket,
        maxRetries: MAX_429_RETRIES,
        timeoutMs: REQUEST_TIMEOUT_MS,
        onBackoff: (ms) => {
          summary.backoffs++;
          summary.backoffMs += ms;
        },
      });
      body = answer.json;
      verdict = service.read(answer);
    } catch {
      // Network failure or timeout: the key stays stale and is tried again next run.
      summary.errors++;
      run.bus?.add('bad', 1);
      continue;
    }
    if (verdict.kind === 'error') {
      summary.errors++;
      run.bus?.add('bad', 1);
      continue;
    }
    cache.put(service.name, key, verdict.flagged, body, new Date().toISOString());
    run.bus?.add('written', 1);
    summary.fetched++;
    if (verdict.flagged) summary.flagged++;
    if (!verdict.known) summary.unknown++;
  }
}

function openEnrichDatabase(path: string, readonly: boolean): Database.Database {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    throw new SluiceError('SLUICE_E_NO_DATABASE', `no database at ${path}`);
  }
  const db = openSqliteDatabase(path, { readonly });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const hasMetrics = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_metrics'").get();
    if (!hasMetrics) {
      throw new SluiceError('SLUICE_E_NO_DATABASE', `${path} has no table session_metrics: ingest it with --profile cowrie first`);
    }
    // Brings the cowrie schema up to date (the enrichment cache); a newer database is refused.
    if (!readonly) migrate(db, 'cowrie', COWRIE_SQLITE_MIGRATIONS);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
