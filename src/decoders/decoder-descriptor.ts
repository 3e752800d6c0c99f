import type { Transform } from 'node:stream';
import type { z } from 'zod';
import type { SqliteRowsSpec } from '../core/parse-message.js';
import type { Decoder, DecodedRecordHandler } from './decoder.js';

/** What a decoder does with a unit; the unit reader picks on these and on `sniff`, never on a name. */
export interface DecoderCapabilities {
  /** Unwraps the unit into other bytes, which are sniffed again (gzip, zip). */
  container: boolean;
  /** Can start at a cursor in the middle of a unit (JSON lines); others are read again from the start. */
  resumable: boolean;
  /** Needs the whole unit as a local file with random access (zip, SQLite), not a stream of bytes. */
  needsFile: boolean;
}

/** Where a record decoder starts in its unit. */
export interface DecoderStart {
  /** Display name of the unit, written into dead letters. */
  file: string;
  /** Offset and line number the unit is read from (a cursor); 0 for its start. */
  startOffset: number;
  startLine: number;
}

/** What every decoder descriptor says of itself. */
interface DecoderDescriptorBase<Settings extends z.ZodType> {
  /** Short name, used in messages and `--help` (`ndjson`, `gzip`). */
  name: string;
  /** One line on what it reads. */
  summary: string;
  /** A unit name it typically reads (the content decides, never the name alone). */
  example: string;
  /** Settings, validated once at start (every field described, with an example). */
  settings: Settings;
  capabilities: DecoderCapabilities;
  /**
   * Whether the first bytes of a unit (after its containers were removed: at least the first bytes
   * that are not white space) are this format. The unit's `name` is a hint only, for text that is no
   * JSON at all. Sniffs of one kind exclude each other.
   */
  sniff(head: Uint8Array, name: string): boolean;
}

/** Bytes → records, pushed chunk by chunk (JSON lines, a JSON array). */
export interface RecordDecoderDescriptor<Settings extends z.ZodType = z.ZodType> extends DecoderDescriptorBase<Settings> {
  kind: 'records';
  create(settings: z.infer<Settings>, start: DecoderStart, handler: DecodedRecordHandler): Decoder;
}

/** A streamed container: its bytes through a transform give the unit's content (gzip). */
export interface StreamContainerDescriptor<Settings extends z.ZodType = z.ZodType> extends DecoderDescriptorBase<Settings> {
  kind: 'stream-container';
  create(settings: z.infer<Settings>): Transform;
}

/** What a file container may put on disk when it is unpacked. */
export interface UnpackLimits {
  /** Largest content it may unpack to, in bytes (`--max-unit-bytes`). */
  maxBytes: number;
  /** The folder the content goes to. */
  dir: string;
  /** Free bytes in `dir` (a test can pretend the disk is full). */
  freeBytes(dir: string): Promise<number>;
}

/** Unpacks the one unit inside the local file `archive` to `target` (streamed, never held in memory). */
export type FileUnpacker = (archive: string, target: string, name: string, limits: UnpackLimits) => Promise<void>;

/** One row of a database unit and its row id (the unit's cursor). */
export interface UnitRow {
  rowId: number;
  value: Record<string, unknown>;
}

/** The rows of one database unit, in row-id order, one in memory at a time. */
export interface RowsReader {
  /** The table the rows come from. */
  readonly table: string;
  /** The rows after `afterRowId`, in row-id order. */
  rows(afterRowId?: number): Iterable<UnitRow>;
  close(): void;
}

/** Opens the rows of the local database file `path` (`name`: for messages); throws a `SluiceError` when it cannot. */
export type RowsOpener = (path: string, name: string, spec: SqliteRowsSpec) => RowsReader;

/**
 * A container read from a whole local file (a zip holding a SQLite chunk): its content is unpacked to
 * another file, whose first bytes are sniffed again. `create` loads what unpacks it.
 */
export interface FileContainerDescriptor<Settings extends z.ZodType = z.ZodType> extends DecoderDescriptorBase<Settings> {
  kind: 'file-container';
  create(settings: z.infer<Settings>): Promise<FileUnpacker>;
}

/**
 * Rows read from a whole local file with random access (a SQLite database). `create` loads what reads
 * it (native modules load only for runs that need them).
 */
export interface FileRowsDescriptor<Settings extends z.ZodType = z.ZodType> extends DecoderDescriptorBase<Settings> {
  kind: 'file-rows';
  create(settings: z.infer<Settings>): Promise<RowsOpener>;
}

/**
 * One decoder plugin: what it reads, how it recognises that from a unit's first bytes, its settings
 * (the zod schema is the documentation), and how to build it. The registry (`decoders/registry.ts`)
 * lists every descriptor in one array.
 */
export type DecoderDescriptor = RecordDecoderDescriptor | StreamContainerDescriptor | FileContainerDescriptor | FileRowsDescriptor;

/** A decoder that needs the unit as a local file (a zip, a SQLite database). */
export type FileDecoderDescriptor = FileContainerDescriptor | FileRowsDescriptor;
