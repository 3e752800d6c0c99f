import type Database from 'better-sqlite3';
import type { EnrichService } from './services.js';

/**
 * Sets `service.flagColumn` on every session from the cache: 1 when the session has a flagged key,
 * else 0. Only rows whose flag changes are written. Returns the number of flagged sessions.
 */
export function applyFlags(db: Database.Database, service: EnrichService): { flagged: number; changed: number } {
  const col = service.flagColumn;
  const { changes } = db
    .prepare(
      `UPDATE session_metrics SET ${col} = CASE WHEN session_id IN (${service.flaggedSessionsSql}) THEN 1 ELSE 0 END
       WHERE ${col} <> CASE WHEN session_id IN (${service.flaggedSessionsSql}) THEN 1 ELSE 0 END`,
    )
    .run();
  const flagged = db.prepare(`SELECT count(*) FROM session_metrics WHERE ${col} = 1`).pluck().get() as number;
  return { flagged, changed: changes };
}
