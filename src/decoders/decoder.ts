import type { BadRecord } from '../core/bad-record.js';

/** Where a decoded record sits in its unit, so a cursor can resume just after it. */
export interface RecordPosition {
  /** 1-based line number (or element number) within the unit. */
  line: number;
  /** Byte offset of the record's first byte. */
  startOffset: number;
  /** Byte offset just past the record: the cursor value once it is committed. */
  endOffset: number;
}

/** Receives what a decoder finds. Both calls are synchronous and in input order. */
export interface DecodedRecordHandler {
  /**
   * A well-formed record (a parsed JSON value, a table row, ...) and its raw text for dead letters
   * (or a function that makes it, when that costs: it is called only for records refused).
   */
  record(value: unknown, position: RecordPosition, raw: string | (() => string)): void;
  /** Input that could not be decoded; it goes to the dead-letter file. */
  bad(record: BadRecord, position: RecordPosition): void;
  /** Input that holds no record (a blank line) but moves the position on. */
  skip(position: RecordPosition): void;
}

/**
 * Bytes of a unit → records. A decoder never throws on bad data: it reports a `BadRecord` and goes on.
 */
export interface Decoder {
  /** Feeds the next bytes of the unit; complete records are handed to the handler at once. */
  push(chunk: Buffer): void;
  /**
   * Ends the unit. A trailing record without its terminator is decoded (`decode`, batch mode), or
   * dead-lettered as `truncated` (`dead-letter`, a followed file closed for good).
   */
  finish(partial: 'decode' | 'dead-letter'): void;
  /** Byte offset just past the last record handed out: where a resumed read starts. */
  readonly offset: number;
  /** Number of the last record (line) handed out. */
  readonly line: number;
  /** Set when the unit as a whole is broken (not the format, cut short): the reason. */
  readonly damaged?: string | undefined;
}
