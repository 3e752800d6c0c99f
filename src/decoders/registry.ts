import type { Transform } from 'node:stream';
import { validateConfig } from '../core/config/validate.js';
import type { Decoder, DecodedRecordHandler } from './decoder.js';
import type {
  DecoderDescriptor,
  DecoderStart,
  FileContainerDescriptor,
  FileDecoderDescriptor,
  FileRowsDescriptor,
  FileUnpacker,
  RecordDecoderDescriptor,
  RowsOpener,
  StreamContainerDescriptor,
} from './decoder-descriptor.js';
import { gzipDecoderDescriptor } from './gzip-descriptor.js';
import { jsonArrayDecoderDescriptor } from './json-array-descriptor.js';
import { ndjsonDecoderDescriptor } from './ndjson-descriptor.js';
import { sqliteRowsDecoderDescriptor } from './sqlite-rows-descriptor.js';
import type { UnitContent } from './unit-content.js';
import { zipDecoderDescriptor } from './zip-descriptor.js';

/**
 * Every decoder Sluice ships, in one explicit list (no registration by import side effects):
 * containers first (they are unwrapped, then the content is sniffed again), then record formats.
 */
export const DECODERS: readonly DecoderDescriptor[] = [
  gzipDecoderDescriptor,
  zipDecoderDescriptor,
  sqliteRowsDecoderDescriptor,
  jsonArrayDecoderDescriptor,
  ndjsonDecoderDescriptor,
];

const recordDecoders = (decoders: readonly DecoderDescriptor[]): RecordDecoderDescriptor[] =>
  decoders.filter((d): d is RecordDecoderDescriptor => d.kind === 'records');

/**
 * What a unit's first bytes say it is, by the sniffs of the decoders that are not streamed record
 * formats (gzip, zip, SQLite); `text` for JSON text, which `recordDecoderFor` tells apart.
 */
export function unitContentOf(head: Uint8Array, decoders: readonly DecoderDescriptor[] = DECODERS): UnitContent {
  const found = decoders.find((d) => d.kind !== 'records' && d.sniff(head, ''));
  return found ? (found.name as UnitContent) : 'text';
}

/** The streamed container the first bytes of a unit say it is (gzip), if any. */
export function streamContainerOf(head: Uint8Array, decoders: readonly DecoderDescriptor[] = DECODERS): StreamContainerDescriptor | undefined {
  return decoders.find((d): d is StreamContainerDescriptor => d.kind === 'stream-container' && d.sniff(head, ''));
}

/** The decoder that needs the whole unit as a local file (zip, SQLite) its first bytes call for, if any. */
export function fileDecoderOf(head: Uint8Array, decoders: readonly DecoderDescriptor[] = DECODERS): FileDecoderDescriptor | undefined {
  return decoders.find((d): d is FileDecoderDescriptor => (d.kind === 'file-container' || d.kind === 'file-rows') && d.sniff(head, ''));
}

/** What unpacks a file container (zip), with its settings validated (defaults unless given). */
export function fileUnpacker(descriptor: FileContainerDescriptor, settings: Record<string, unknown> = {}): Promise<FileUnpacker> {
  return descriptor.create(validateConfig(descriptor.settings, settings));
}

/** What opens the rows of a database unit (SQLite), with its settings validated (defaults unless given). */
export function rowsOpener(descriptor: FileRowsDescriptor, settings: Record<string, unknown> = {}): Promise<RowsOpener> {
  return descriptor.create(validateConfig(descriptor.settings, settings));
}

/**
 * The transform that unwraps a streamed container, with its settings validated (defaults unless
 * given). Of `settings`, only the fields its schema has are taken (a caller may offer `chunkBytes`
 * to whatever container the unit turned out to be).
 */
export function unwrapper(descriptor: StreamContainerDescriptor, settings: Record<string, unknown> = {}): Transform {
  const shape = (descriptor.settings as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const own = Object.fromEntries(Object.entries(settings).filter(([k, v]) => k in shape && v !== undefined));
  return descriptor.create(validateConfig(descriptor.settings, own));
}

/**
 * The record decoder for a unit whose (decompressed) first bytes are `head`, or undefined while
 * they are only white space. The decoders' sniffs decide (JSON array or JSON lines), whatever the
 * unit is called.
 */
export function recordDecoderFor(
  head: Uint8Array,
  start: DecoderStart,
  maxRecordBytes: number,
  handler: DecodedRecordHandler,
  decoders: readonly DecoderDescriptor[] = DECODERS,
): Decoder | undefined {
  const found = recordDecoders(decoders).find((d) => d.sniff(head, start.file));
  return found && build(found, start, maxRecordBytes, handler);
}

/**
 * The decoder that can start at a cursor in the middle of a unit (JSON lines): a resumed unit, and a
 * unit of only white space (read as blank lines).
 */
export function resumableDecoderFor(
  start: DecoderStart,
  maxRecordBytes: number,
  handler: DecodedRecordHandler,
  decoders: readonly DecoderDescriptor[] = DECODERS,
): Decoder {
  const found = recordDecoders(decoders).find((d) => d.capabilities.resumable);
  if (!found) throw new Error('no resumable record decoder is registered');
  return build(found, start, maxRecordBytes, handler);
}

function build(d: RecordDecoderDescriptor, start: DecoderStart, maxRecordBytes: number, handler: DecodedRecordHandler): Decoder {
  return d.create(validateConfig(d.settings, { maxRecordBytes }), start, handler);
}
