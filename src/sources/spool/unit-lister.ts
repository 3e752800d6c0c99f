import type { Readable } from 'node:stream';
import { SluiceError } from '../../core/errors.js';
import type { DiscoveredUnit } from '../../ledger/ledger.js';

/** Where spool units live: a folder or an S3 prefix. */
export interface UnitLister {
  /** The folder or bucket: the ledger's `bucket` column. */
  readonly bucket: string;
  /** Every unit there now, page by page (S3 continuation tokens; a folder in one page). */
  list(): AsyncIterable<DiscoveredUnit[]>;
  /** The bytes of one unit, as stored (maybe gzipped); notes the version read (see `takeVersionRead`). */
  open(key: string): Promise<Readable>;
  /** The unit's path when it is a local file (read in place instead of copied); notes its version now, as `open` does. */
  localPath?(key: string): string;
  /**
   * The version (as `list` spells it) of the unit when `open` or `localPath` last took it, then
   * forgotten: what `--after` checks the unit against, so that content replaced since is kept.
   */
  takeVersionRead?(key: string): string | undefined;
  /** The unit's version now, as `list` spells it; undefined when it is gone. */
  versionOf?(key: string): Promise<string | undefined>;
  /**
   * Deletes a unit (`--after delete`, once it is COMPLETED) if it is still `version`, the one that was
   * ingested; else keeps it and throws (a unit already gone is no error).
   */
  remove?(key: string, version: string | undefined): Promise<void>;
  /** Moves a unit under `folder` by its key (`--after move:DIR`) if it is still `version`; else keeps it and throws. */
  move?(key: string, folder: string, version: string | undefined): Promise<void>;
}

/**
 * Throws unless the unit is still the version that was ingested: a chunk re-uploaded or rewritten
 * under the same name after it was read holds content no run has seen, and deleting or moving it away
 * would lose it. Kept, it is listed again with its new version and runs again.
 */
export function assertUnchanged(key: string, ingested: string | undefined, now: string): void {
  if (ingested === undefined) {
    throw new SluiceError('SLUICE_E_SOURCE', `${key}: the version that was ingested is not known (now ${now}); kept`, { because: 'unit_changed' });
  }
  if (now !== ingested) {
    throw new SluiceError('SLUICE_E_SOURCE', `${key} changed since it was ingested (version ${ingested}, now ${now}); kept so that it is ingested again`, {
      because: 'unit_changed',
    });
  }
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
