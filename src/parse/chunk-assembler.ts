import { basename } from 'node:path';
import type { BadRecord } from '../core/bad-record.js';
import type { DecodedRecordHandler, RecordPosition } from '../decoders/decoder.js';
import { conflictingKey, duplicateKeyReason } from '../decoders/duplicate-keys.js';
import type { Profile, ProfileOptions, RowEmitter } from '../profiles/profile.js';
import { RowChunkBuilder } from '../core/rows/row-chunk.js';
import type { RowValue } from '../core/rows/table-spec.js';
import type { ParseMessage } from '../core/parse-message.js';

/** Warnings carried per chunk (the rest are only counted). */
const MAX_WARNINGS_PER_CHUNK = 20;

/**
 * Receives decoded records, runs the profile's map on each and collects rows and bad records until
 * the next chunk is taken. It is the glue between a decoder and the writer, the same in a parser
 * thread and in the main thread.
 */
export class ChunkAssembler implements DecodedRecordHandler, RowEmitter {
  private readonly builders: RowChunkBuilder[];
  private bads: BadRecord[] = [];
  private records = 0;
  private skipped = 0;
  private warnings: string[] = [];
  private warningCount = 0;
  private currentFile = '';
  private readonly origin = { unitName: '', index: 0 };

  constructor(
    private readonly profile: Profile,
    private readonly options: ProfileOptions,
  ) {
    this.builders = profile.tables.map((t, i) => new RowChunkBuilder(i, t));
  }

  /** The unit whose records follow (named in dead letters made by `map`). */
  startUnit(file: string): void {
    this.currentFile = file;
    this.origin.unitName = basename(file);
  }

  record(value: unknown, position: RecordPosition, raw: string | (() => string)): void {
    this.origin.index = position.line;
    const { keyFields } = this.profile;
    const conflict = keyFields && typeof raw === 'string' ? conflictingKey(raw, keyFields) : undefined;
    const verdict = conflict === undefined ? this.profile.map(value, this, this.options, this.origin) : { bad: duplicateKeyReason(conflict) };
    if (verdict === undefined) {
      this.records += 1;
    } else if ('skip' in verdict) {
      this.skipped += 1;
    } else {
      this.bads.push({
        file: this.currentFile,
        line: position.line,
        offset: position.startOffset,
        reason: verdict.bad,
        raw: typeof raw === 'string' ? raw : raw(),
      });
    }
  }

  bad(record: BadRecord): void {
    this.bads.push(record);
  }

  skip(): void {
    this.skipped += 1;
  }

  row(table: number, values: readonly RowValue[]): void {
    this.builders[table]?.add(values, this.origin.index);
  }

  warn(message: string): void {
    this.warningCount += 1;
    if (this.warnings.length < MAX_WARNINGS_PER_CHUNK) this.warnings.push(message);
  }

  /** True when nothing was collected since the last take. */
  get empty(): boolean {
    return this.records === 0 && this.skipped === 0 && this.bads.length === 0 && this.warningCount === 0;
  }

  /** Everything collected so far as one chunk message, and a fresh start. */
  take(unit: number, endOffset: number, endLine: number, rawBytes: number): Extract<ParseMessage, { kind: 'chunk' }> {
    const rows = this.builders.filter((b) => b.count > 0).map((b) => b.take());
    const msg = {
      kind: 'chunk' as const,
      unit,
      rows,
      bad: this.bads,
      records: this.records,
      skipped: this.skipped,
      warnings: this.warnings,
      warningCount: this.warningCount,
      endOffset,
      endLine,
      rawBytes,
    };
    this.bads = [];
    this.records = 0;
    this.skipped = 0;
    this.warnings = [];
    this.warningCount = 0;
    return msg;
  }
}
