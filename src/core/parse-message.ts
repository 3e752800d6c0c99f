import type { BadRecord } from './bad-record.js';
import type { SluiceErrorCause } from './errors.js';
import type { EncodedRows } from './rows/row-chunk.js';

/** Which rows a SQLite unit holds: the first of `tables` that exists, as objects of `columns`. */
export interface SqliteRowsSpec {
  tables: readonly string[];
  columns: readonly string[];
  /**
   * Bytes read through a memory map (default 64 MiB); 0 reads every page by read(). Mapped pages
   * count in the process's RSS until the unit closes.
   */
  mapBytes?: number | undefined;
}

/** One unit to read, as planned from its cursor. */
export interface UnitPlan {
  /** Position in the plan; messages refer to units by it. */
  index: number;
  /** The path as the user wrote it, for dead letters. */
  display: string;
  /** Absolute path, or null for standard input (read in the main thread). */
  path: string | null;
  /** Decompress with gunzip while reading. */
  gzip: boolean;
  /** Resume point: byte offset (decompressed for gzip) and line number of the committed cursor. */
  startOffset: number;
  startLine: number;
  /** Cursor key (identity within a scope); null for stdin, which has no identity and no cursor. */
  cursorKey: string | null;
  /** Identity the cursor is valid for (see sources/file-identity.ts). */
  identity: string;
  /** Raw size when planned. */
  size: number;
  /** For a ledger unit (spool): its bucket and key, completed with its rows. */
  ledger?: { bucket: string; key: string } | undefined;
  /** A SQLite unit (`path` is the database file): its rows are read instead of bytes. */
  sqlite?: SqliteRowsSpec | undefined;
}

/** What the parse stage sends to the writer, in order. */
export type ParseMessage =
  | { kind: 'unit-start'; unit: number; plan: UnitPlan }
  | {
      kind: 'chunk';
      unit: number;
      /** Rows per table (only tables that got rows). */
      rows: EncodedRows[];
      /** Records that could not be used, for the dead-letter file. */
      bad: BadRecord[];
      /** Good records decoded (before mapping). */
      records: number;
      /** Records left out on purpose (filters) and blank lines. */
      skipped: number;
      /** The first few notes about parts left out of records that went in (see `RowEmitter.warn`). */
      warnings: string[];
      /** How many notes there were in all. */
      warningCount: number;
      /** Cursor after this chunk: offset just past its last line, and that line's number. */
      endOffset: number;
      endLine: number;
      /** Raw bytes of the unit read so far (compressed bytes for gzip), for progress. */
      rawBytes: number;
    }
  | { kind: 'unit-end'; unit: number; endOffset: number; endLine: number; rawBytes: number }
  | {
      kind: 'unit-error';
      unit: number;
      message: string;
      /**
       * Set when the unit's data is damaged (a truncated or corrupt gzip stream, an array cut short),
       * not when it could not be read: what came before the damage was sent in chunks, the damage
       * itself as a bad record, and this is where the good part ends. A run that commits units in
       * part (ingest, follow) keeps it and goes on; an all-or-nothing unit (spool) fails.
       */
      damaged?: { endOffset: number; endLine: number; rawBytes: number } | undefined;
      /** A known cause (see CAUSE_HINTS), so the error it ends in gives the hint that fits. */
      because?: SluiceErrorCause | undefined;
      /** Another attempt would fail the same way (a unit over `--max-unit-bytes`): FAILED at once. */
      permanent?: boolean | undefined;
    }
  /** Nothing more to read right now (a followed file is idle): a good moment to commit. */
  | { kind: 'idle' };
