import { isUtf8 } from 'node:buffer';
import { BAD_REASON } from '../core/bad-record.js';
import { jsonTooDeep, tooDeepReason } from '../core/json-depth.js';
import type { Decoder, DecodedRecordHandler, RecordPosition } from './decoder.js';
import { LineSplitter, type LineSpan } from './line-splitter.js';

/** Options of the NDJSON decoder. */
export interface NdjsonDecoderOptions {
  /** Display name of the unit, written into dead letters. */
  file: string;
  /** Longest line accepted, in bytes; longer lines are dead-lettered as `line_too_long`. */
  maxLineBytes: number;
  /** Offset and line number the unit is read from (a cursor), so offsets and line numbers stay true. */
  startOffset?: number;
  startLine?: number;
}

/** How many bytes of an oversized line the dead letter keeps. */
const RAW_HEAD_BYTES = 4096;

/**
 * Newline-delimited JSON: one JSON value per line. Blank lines are skipped; invalid UTF-8, invalid
 * JSON and oversized lines become bad records with their line number and byte offset.
 */
export class NdjsonDecoder implements Decoder {
  private readonly splitter: LineSplitter;
  private chunkIsUtf8 = true;
  private readonly onLine = (buf: Buffer, start: number, end: number, span: LineSpan): void =>
    this.decodeLine(buf, start, end, span);

  constructor(
    private readonly options: NdjsonDecoderOptions,
    private readonly handler: DecodedRecordHandler,
  ) {
    this.splitter = new LineSplitter(options.maxLineBytes, options.startOffset ?? 0, options.startLine ?? 0);
  }

  get offset(): number {
    return this.splitter.offset;
  }

  get line(): number {
    return this.splitter.line;
  }

  push(chunk: Buffer): void {
    // One C++ validation of all complete lines of the chunk; lines are checked one by one only when
    // it fails (a multi-byte character split across reads, or really invalid bytes).
    const lastNewline = chunk.lastIndexOf(10);
    this.chunkIsUtf8 = lastNewline === -1 || isUtf8(chunk.subarray(0, lastNewline));
    this.splitter.push(chunk, this.onLine);
  }

  finish(partial: 'decode' | 'dead-letter'): void {
    this.chunkIsUtf8 = false;
    if (partial === 'decode') {
      this.splitter.finish(this.onLine);
      return;
    }
    this.splitter.finish((buf, start, end, span) => {
      const position = { line: span.line, startOffset: span.startOffset, endOffset: span.endOffset };
      const raw = buf.toString('utf8', start, Math.min(end, start + RAW_HEAD_BYTES));
      this.reportBad(`${BAD_REASON.truncated}: the last line has no newline and the file was closed`, raw, position);
    });
  }

  private decodeLine(buf: Buffer, start: number, end: number, span: LineSpan): void {
    const position: RecordPosition = { line: span.line, startOffset: span.startOffset, endOffset: span.endOffset };
    if (span.oversized) {
      this.reportBad(`${BAD_REASON.lineTooLong}: longer than ${this.options.maxLineBytes} bytes`, buf.toString('utf8', start, Math.min(end, start + RAW_HEAD_BYTES)), position);
      return;
    }
    if (isBlank(buf, start, end)) {
      this.handler.skip(position);
      return;
    }
    if (!this.chunkIsUtf8 && !isUtf8(buf.subarray(start, end))) {
      this.reportBad(`${BAD_REASON.invalidUtf8}: the line is not valid UTF-8`, buf.toString('utf8', start, end), position);
      return;
    }
    const text = buf.toString('utf8', start, end);
    if (jsonTooDeep(text)) {
      this.reportBad(tooDeepReason(), text, position);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      this.reportBad(`${BAD_REASON.invalidJson}: ${detail}`, text, position);
      return;
    }
    this.handler.record(value, position, text);
  }

  private reportBad(reason: string, raw: string, position: RecordPosition): void {
    this.handler.bad({ file: this.options.file, line: position.line, offset: position.startOffset, reason, raw }, position);
  }
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
