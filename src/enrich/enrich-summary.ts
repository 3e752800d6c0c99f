/** What one service did in a run. */
export interface ServiceSummary {
  service: 'vt' | 'dshield';
  /** Distinct keys in the database. */
  keys: number;
  /** Keys answered from a fresh cache entry (not fetched). */
  cached: number;
  /** Keys fetched and cached this run (in a dry run: keys that would be fetched). */
  fetched: number;
  /** Of those fetched, flagged / unknown to the service. */
  flagged: number;
  unknown: number;
  /** Keys that failed (HTTP error, network, bad answer): retried next run. */
  errors: number;
  /** Malformed keys, never sent. */
  skipped: number;
  /** Keys left for a later run by --limit. */
  deferred: number;
  /** 429 back-offs, and the time spent waiting in them. */
  backoffs: number;
  backoffMs: number;
  /** Sessions flagged by this service after the run. */
  flaggedSessions: number;
  /** Why the service did not run (e.g. no API key), else null. */
  disabled: string | null;
}

export interface EnrichSummary {
  db: string;
  dryRun: boolean;
  elapsedSec: number;
  services: ServiceSummary[];
}

export function emptyServiceSummary(service: ServiceSummary['service']): ServiceSummary {
  return {
    service,
    keys: 0,
    cached: 0,
    fetched: 0,
    flagged: 0,
    unknown: 0,
    errors: 0,
    skipped: 0,
    deferred: 0,
    backoffs: 0,
    backoffMs: 0,
    flaggedSessions: 0,
    disabled: null,
  };
}

/** One line for stderr: `sluice: enrich: vt 3 keys: 1 fetched (1 flagged, 0 unknown), 2 cached, ...`. */
export function formatEnrichSummary(s: EnrichSummary): string {
  const parts = s.services.map((v) => {
    if (v.disabled) return `${v.service} skipped (${v.disabled})`;
    let text = `${v.service} ${v.keys} keys: ${v.fetched} ${s.dryRun ? 'to fetch' : 'fetched'}`;
    if (!s.dryRun) text += ` (${v.flagged} flagged, ${v.unknown} unknown)`;
    text += `, ${v.cached} cached, ${v.errors} errors`;
    if (v.skipped) text += `, ${v.skipped} malformed`;
    if (v.deferred) text += `, ${v.deferred} left by --limit`;
    if (v.backoffs) text += `, ${v.backoffs} back-offs (${(v.backoffMs / 1000).toFixed(1)} s)`;
    text += `, ${v.flaggedSessions} sessions flagged`;
    return text;
  });
  return `sluice: enrich${s.dryRun ? ' (dry run)' : ''}: ${parts.join('; ')} in ${s.elapsedSec.toFixed(1)} s`;
}
