import type Database from 'better-sqlite3';

/** The `enrichment_cache` table (cowrie migration 3): one answer per (service, key). */
export class EnrichmentCache {
  private readonly upsert: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(`INSERT INTO enrichment_cache (service, key, flagged, response_json, fetched_at)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (service, key) DO UPDATE SET flagged = excluded.flagged, response_json = excluded.response_json,
        fetched_at = excluded.fetched_at`);
  }

  /**
   * Keys of `keysSql` with no cached answer fetched at or after `freshSince` (ISO), in key order.
   * Without the table yet (a dry run on a database never enriched), every key is stale.
   */
  staleKeys(service: string, keysSql: string, freshSince: string): string[] {
    const hasCache = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'enrichment_cache'").get();
    const sql = hasCache
      ? `SELECT k.key FROM (${keysSql}) k WHERE NOT EXISTS (SELECT 1 FROM enrichment_cache c
           WHERE c.service = ? AND c.key = k.key AND c.fetched_at >= ?) ORDER BY k.key`
      : `SELECT k.key FROM (${keysSql}) k ORDER BY k.key`;
    const stmt = this.db.prepare(sql).pluck();
    return (hasCache ? stmt.all(service, freshSince) : stmt.all()) as string[];
  }

  /** Counts the distinct keys of `keysSql`. */
  countKeys(keysSql: string): number {
    return this.db.prepare(`SELECT count(*) FROM (${keysSql})`).pluck().get() as number;
  }

  /** Stores one answer; each in its own short transaction, so a running ingest waits at most that long. */
  put(service: string, key: string, flagged: boolean, response: unknown, fetchedAt: string): void {
    this.upsert.run(service, key, flagged ? 1 : 0, JSON.stringify(response), fetchedAt);
  }
}
