import type { Transform } from 'node:stream';
import type { z } from 'zod';
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

/**
 * A format read from a whole local file (a zip holding a SQLite chunk, a SQLite database of rows).
 * `create` loads what reads it (native modules load only for runs that need them).
 */
export interface FileDecoderDescriptor<Settings extends z.ZodType = z.ZodType, Reader = unknown> extends DecoderDescriptorBase<Settings> {
  kind: 'file';
  create(settings: z.infer<Settings>): Promise<Reader>;
}

/**
 * One decoder plugin: what it reads, how it recognises that from a unit's first bytes, its settings
 * (the zod schema is the documentation), and how to build it. The registry (`decoders/registry.ts`)
 * lists every descriptor in one array.
 */
export type DecoderDescriptor = RecordDecoderDescriptor | StreamContainerDescriptor | FileDecoderDescriptor;
