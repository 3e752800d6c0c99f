import { durationSeconds, type ArchiveConfig } from './archive-config.js';
import type { LdoSink } from './ldo-sink.js';
import { SourceTable } from './source-table.js';

/** What one archival run did. */
export interface ArchiveSummary {
  /** Rows older than the cutoff (dry run) or rows sent. */
  rows: number;
  /** Newly stored by the service. */
  stored: number;
  /** Already stored by an earlier, interrupted run. */
  replayed: number;
  /** Rows deleted (or emptied with --keep-metadata). */
  removed: number;
  /** Rows the service refused as a conflict (kept in the table). */
  conflicts: number;
  dryRun: boolean;
}

/**
 * Archives old rows: reads keyset pages, sends each row as a metadata-only LDO keyed by table and id,
 * and deletes (or empties) a page's rows only after each was acknowledged. Killed at any instant and
 * run again, acknowledged-but-not-deleted rows are sent again and answered as replays: nothing is lost,
 * nothing stored twice.
 */
export async function runArchive(
  config: ArchiveConfig,
  sink: LdoSink | undefined,
  onProgress?: (s: ArchiveSummary) => void,
  /** A stop request ends the run between pages: the page in hand is sent and removed first. */
  stop?: AbortSignal,
): Promise<ArchiveSummary> {
  const table = await SourceTable.open(config.from, config.table, config.idColumn, config.timeColumn);
  const summary: ArchiveSummary = { rows: 0, stored: 0, replayed: 0, removed: 0, conflicts: 0, dryRun: config.dryRun };
  try {
    const cutoff = await table.cutoff(durationSeconds(config.olderThan) ?? 0);
    const payload = config.keepMetadata ? (config.payloadColumns ?? (await table.jsonColumns(config.table))) : undefined;
    if (config.dryRun || !sink) {
      summary.rows = await table.countOld(cutoff, payload);
      return summary;
    }
    let after: unknown;
    while (stop?.aborted !== true) {
      const rows = await table.page(cutoff, after, config.pageSize, payload);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]?.[config.idColumn];
      const acked: unknown[] = [];
      await forEachLimited(rows, config.concurrency, async (row) => {
        const id = row[config.idColumn];
        const outcome = await sink.send(metadataOf(row, config.idColumn), `archive:${config.table}:${String(id)}`);
        summary.rows++;
        if (outcome.kind === 'conflict') {
          summary.conflicts++;
          return;
        }
        summary[outcome.kind]++;
        acked.push(id);
      });
      summary.removed += payload ? await table.emptyPayload(acked, payload) : await table.deleteRows(acked);
      onProgress?.(summary);
    }
    return summary;
  } finally {
    await table.close();
  }
}

/** The row as JSON with `ldo_id` = the id column (a row's own different `ldo_id` is kept as `source_ldo_id`). */
export function metadataOf(row: Record<string, unknown>, idColumn: string): Record<string, unknown> {
  const ldoId = String(row[idColumn]);
  const out: Record<string, unknown> = { ...row, ldo_id: ldoId };
  if (row.ldo_id !== undefined && row.ldo_id !== null && String(row.ldo_id) !== ldoId) out.source_ldo_id = row.ldo_id;
  return out;
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
