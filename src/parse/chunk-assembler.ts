import { basename } from 'node:path';
import type { BadRecord } from '../core/bad-record.js';
import type { DecodedRecordHandler, RecordPosition } from '../decoders/decoder.js';
import { conflictingKey, duplicateKeyReason } from '../decoders/duplicate-keys.js';
import type { RowGroups } from '../profiles/batch-summary.js';
import type { Profile, ProfileOptions, RecordOrigin, RowEmitter } from '../profiles/profile.js';
import { RowChunkBuilder } from '../core/rows/row-chunk.js';
import type { RowValue } from '../core/rows/table-spec.js';
import type { ParseMessage } from '../core/parse-message.js';
import { UnitMemory } from '../profiles/unit-memory.js';

/** One unit as the assembler sees it: its name, its memory, and where its replay ends. */
export interface AssemblerUnit {
  /** The unit's display name (in dead letters made by `map`). */
  file: string;
  /** What the profile remembers of the unit's records so far. */
  memory: UnitMemory;
  /**
   * Records ending at or before this offset are replayed, not stored: mapped only to rebuild the
   * memory of a unit resumed mid-way (`Profile.unitHistory`), their rows, bad records and skips dropped.
   */
  replayTo: number;
}

/** Sends rows nowhere (records replayed for the memory they leave). */
const NO_ROWS: RowEmitter = { row: () => undefined, warn: () => undefined };

/** Warnings carried per chunk (the rest are only counted). */
const MAX_WARNINGS_PER_CHUNK = 20;

/**
 * Receives decoded records, runs the profile's map on each and collects rows and bad records until
 * the next chunk is taken. It is the glue between a decoder and the writer, the same in a parser
 * thread and in the main thread.
 */
export class ChunkAssembler implements DecodedRecordHandler, RowEmitter {
  private readonly builders: RowChunkBuilder[];
  /** The groups the profile folds from this chunk's rows of its after-batch table; undefined once a row could not be folded. */
  private summary: RowGroups | undefined = new Map();
  /** Encodes the groups of each chunk (`Profile.sqliteBatchSummary`). */
  private readonly summaryBuilder: RowChunkBuilder | undefined;
  private bads: BadRecord[] = [];
  private records = 0;
  private skipped = 0;
  private warnings: string[] = [];
  private warningCount = 0;
  private current: AssemblerUnit = { file: '', memory: new UnitMemory(), replayTo: 0 };
  private readonly origin: RecordOrigin = { unitName: '', index: 0, memory: this.current.memory, text: undefined };

  constructor(
    private readonly profile: Profile,
    private readonly options: ProfileOptions,
  ) {
    this.builders = profile.tables.map((t, i) => new RowChunkBuilder(i, t));
    const { sqliteBatchSummary: summary, sqliteAfterBatch: afterBatch } = profile;
    this.summaryBuilder = summary && afterBatch ? new RowChunkBuilder(afterBatch.table, summary.table) : undefined;
  }

  /**
   * The unit whose records follow (named in dead letters made by `map`), with a fresh memory; records
   * up to `replayTo` only rebuild that memory. Returns the unit, for a caller that interleaves units.
   */
  startUnit(file: string, replayTo = 0): AssemblerUnit {
    const unit: AssemblerUnit = { file, memory: new UnitMemory(), replayTo };
    this.use(unit);
    return unit;
  }

  /** Makes `unit` (from `startUnit`) the one whose records follow again (follow reads files in turns). */
  use(unit: AssemblerUnit): void {
    this.current = unit;
    this.origin.unitName = basename(unit.file);
    this.origin.memory = unit.memory;
  }

  /** Whether a record ending at `endOffset` is only replayed (see `AssemblerUnit.replayTo`). */
  private replayed(endOffset: number): boolean {
    // Strictly inside a replay: damage reported at offset 0 of a unit read from its start is real.
    return this.current.replayTo > 0 && endOffset <= this.current.replayTo;
  }

  record(value: unknown, position: RecordPosition, raw: string | (() => string)): void {
    this.origin.index = position.line;
    this.origin.text = typeof raw === 'string' ? raw : undefined;
    if (this.replayed(position.endOffset)) {
      this.profile.map(value, NO_ROWS, this.options, this.origin);
      return;
    }
    const { keyFields } = this.profile;
    const conflict = keyFields && typeof raw === 'string' ? conflictingKey(raw, keyFields) : undefined;
    const verdict = conflict === undefined ? this.profile.map(value, this, this.options, this.origin) : { bad: duplicateKeyReason(conflict) };
    if (verdict === undefined) {
      this.records += 1;
    } else if ('skip' in verdict) {
      this.skipped += 1;
    } else {
      this.bads.push({
        file: this.current.file,
        line: position.line,
        offset: position.startOffset,
        reason: verdict.bad,
        raw: typeof raw === 'string' ? raw : raw(),
      });
    }
  }

  bad(record: BadRecord, position?: RecordPosition): void {
    if (position !== undefined && this.replayed(position.endOffset)) return;
    this.bads.push(record);
  }

  skip(position?: RecordPosition): void {
    if (position !== undefined && this.replayed(position.endOffset)) return;
    this.skipped += 1;
  }

  row(table: number, values: readonly RowValue[]): void {
    this.builders[table]?.add(values, this.origin.index);
    const summary = this.profile.sqliteBatchSummary;
    if (summary && this.summary && table === this.profile.sqliteAfterBatch?.table && !summary.add(this.summary, values)) this.summary = undefined;
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
    if (this.summaryBuilder) {
      // The groups as rows of the summary's table: transferred with the chunk, not cloned.
      const summarized = rows.find((r) => r.table === this.profile.sqliteAfterBatch?.table);
      if (summarized && this.summary) {
        for (const group of this.summary.values()) this.summaryBuilder.add(group);
        summarized.summary = this.summaryBuilder.take();
      }
      this.summary = new Map();
    }
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
