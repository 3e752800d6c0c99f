import type { Readable } from 'node:stream';
import type { DiscoveredUnit } from '../../ledger/ledger.js';

/** Where spool units live: a folder or an S3 prefix. */
export interface UnitLister {
  /** The folder or bucket: the ledger's `bucket` column. */
  readonly bucket: string;
  /** Every unit there now, page by page (S3 continuation tokens; a folder in one page). */
  list(): AsyncIterable<DiscoveredUnit[]>;
  /** The bytes of one unit, as stored (maybe gzipped). */
  open(key: string): Promise<Readable>;
  /** The unit's path when it is a local file (read in place instead of copied). */
  localPath?(key: string): string;
  /** Deletes a unit (`--after delete`, once it is COMPLETED). */
  remove?(key: string): Promise<void>;
}

/** Names of files a spool takes: JSON arrays and NDJSON, gzipped or not, also with a rotation date (`cowrie.json.2026-04-18`). */
export const UNIT_NAME = /\.(json|ndjson|jsonl)(\.\d{4}-\d{2}-\d{2})?(\.gz)?$/i;

/** Names of SQLite units (profiles with `sqliteUnits`): `mega_jetstream_20250925_010950.db.zip`, `x.db`. */
export const SQLITE_UNIT_NAME = /\.db(\.zip)?$/i;

const STAMP = /(\d{4})-(\d{2})-(\d{2})T(\d{2})[-:](\d{2})[-:](\d{2})(?:\.(\d{1,6}))?Z/;
/** Megastream's `_YYYYMMDD_HHMMSS` (UTC). */
const COMPACT_STAMP = /_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?=\D|$)/;

/**
 * The order key of a unit: the timestamp in its name when it has one (`2025-04-01T18:28:18.671Z-<uuid>.json`,
 * also with `-` for `:` as in file names, or Megastream's `mega_jetstream_20250925_010950.db.zip`),
 * else its modification time; both as ISO text.
 */
export function sortKeyOf(key: string, modified: Date): string {
  const m = STAMP.exec(key);
  if (m) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${(m[7] ?? '0').padEnd(3, '0').slice(0, 3)}Z ${key}`;
  const c = COMPACT_STAMP.exec(key);
  if (c) return `${c[1]}-${c[2]}-${c[3]}T${c[4]}:${c[5]}:${c[6]}.000Z ${key}`;
  return `${modified.toISOString()} ${key}`;
}
