import { BAD_REASON } from '../core/bad-record.js';
import { jsonTooDeep, tooDeepReason } from '../core/json-depth.js';
import type { Decoder, DecodedRecordHandler, RecordPosition } from './decoder.js';

/** Options of the JSON-array decoder. */
export interface JsonArrayDecoderOptions {
  /** Display name of the unit, written into dead letters. */
  file: string;
  /** Largest element accepted, in bytes; larger ones are dead-lettered. */
  maxRecordBytes: number;
}

const enum C {
  Quote = 0x22,
  Backslash = 0x5c,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Comma = 0x2c,
  Space = 0x20,
  Tab = 0x09,
  Newline = 0x0a,
  Return = 0x0d,
}

type Phase = 'before' | 'between' | 'element' | 'after' | 'broken';

/**
 * A file holding one JSON array (pino-style log files), decoded as a stream of its elements so a
 * 1 GB file never sits in memory: a byte scanner finds where each element ends (tracking strings,
 * escapes and nesting) and only that element's text is parsed. A file holding a single object yields
 * that object. Damage (not JSON, an array cut short) is reported as a bad record and flags the unit
 * `damaged`, so a caller that wants all-or-nothing units can refuse it.
 */
export class JsonArrayDecoder implements Decoder {
  private phase: Phase = 'before';
  private topLevelObject = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private oversized = false;
  private elementStart = 0;
  private consumed = 0;
  private index = 0;
  private lastEnd = 0;
  private endsBefore = false;
  /** Set when the unit is not a well-formed JSON array (or object). */
  damaged: string | undefined;

  constructor(
    private readonly options: JsonArrayDecoderOptions,
    private readonly handler: DecodedRecordHandler,
  ) {}

  get offset(): number {
    return this.lastEnd;
  }

  get line(): number {
    return this.index;
  }

  push(chunk: Buffer): void {
    // An element that began in an earlier chunk continues from this chunk's first byte.
    let segmentStart = this.phase === 'element' ? 0 : -1;
    const length = chunk.length;
    for (let i = 0; i < length; i++) {
      if (this.phase === 'element') {
        i = this.scanElement(chunk, i);
        if (i === length) break;
        // The byte at i ends the element: a closing bracket of the array is consumed with it.
        const c = chunk[i] as number;
        const closesArray = this.endsBefore && (c === C.CloseBrace || c === C.CloseBracket);
        this.endElement(chunk, segmentStart, this.endsBefore ? i : i + 1);
        segmentStart = -1;
        if (closesArray) this.phase = 'after';
        continue;
      }
      const c = chunk[i] as number;
      if (isSpace(c)) continue;
      if (this.phase === 'before') {
        if (c === C.OpenBracket) this.phase = 'between';
        else if (c === C.OpenBrace) {
          this.topLevelObject = true;
          segmentStart = this.startElement(i);
          this.depth = 1;
        } else this.breakUnit('the file is neither a JSON array nor a JSON object', i);
      } else if (this.phase === 'between') {
        if (c === C.Comma) continue;
        if (c === C.CloseBracket) {
          this.phase = 'after';
          continue;
        }
        segmentStart = this.startElement(i);
        if (c === C.OpenBrace || c === C.OpenBracket) this.depth = 1;
        else if (c === C.Quote) this.inString = true;
      } else if (this.phase === 'after') {
        this.breakUnit('data after the end of the JSON value', i);
      }
      if (this.phase === 'broken') break;
    }
    if (this.phase === 'element' && segmentStart >= 0) this.keep(chunk, segmentStart, length);
    this.consumed += length;
  }

  /**
   * Scans an element from `from` (state in locals, the hot loop) to the byte that ends it, or to the
   * chunk's end. At an ending byte, `endsBefore` says whether that byte is outside the element (a comma,
   * a space, the array's closing bracket after a scalar) rather than its last byte (a quote, a bracket).
   */
  private scanElement(chunk: Buffer, from: number): number {
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    const length = chunk.length;
    let i = from;
    let endsBefore = false;
    for (; i < length; i++) {
      let c = chunk[i] as number;
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Most bytes of a log entry are inside strings: run through them to a quote or a backslash.
        while (c !== C.Quote && c !== C.Backslash && i + 1 < length) c = chunk[++i] as number;
        if (c === C.Backslash) escaped = true;
        else if (c === C.Quote) {
          inString = false;
          if (depth === 0) break;
        }
        continue;
      }
      if (c === C.Quote) inString = true;
      else if (c === C.OpenBrace || c === C.OpenBracket) depth += 1;
      else if (c === C.CloseBrace || c === C.CloseBracket) {
        if (depth === 0) {
          // A scalar element ended by the array's closing bracket.
          endsBefore = true;
          break;
        }
        depth -= 1;
        if (depth === 0) break;
      } else if (depth === 0 && (c === C.Comma || isSpace(c))) {
        endsBefore = true;
        break;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.endsBefore = endsBefore;
    return i;
  }

  finish(_partial: 'decode' | 'dead-letter'): void {
    if (this.phase === 'broken') return;
    if (this.phase === 'after') {
      // Read to its end: the cursor says so (a finished array is not read again, nor its dead letters written twice).
      this.lastEnd = this.consumed;
      return;
    }
    if (this.phase === 'before') {
      if (this.consumed > 0) this.breakUnit('the file holds no JSON value', 0);
      return;
    }
    const where = this.phase === 'element' ? `inside element ${this.index + 1}` : `after element ${this.index}`;
    this.breakUnit(`${BAD_REASON.truncated}: the JSON array ends ${where} without its closing bracket`, 0, true);
  }

  private startElement(i: number): number {
    this.phase = 'element';
    this.elementStart = this.consumed + i;
    this.parts = [];
    this.partsLength = 0;
    this.oversized = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    return i;
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (this.oversized) return;
    if (this.partsLength + (end - start) > this.options.maxRecordBytes) {
      this.oversized = true;
      return;
    }
    this.parts.push(Buffer.from(chunk.subarray(start, end)));
    this.partsLength += end - start;
  }

  /** The element's text: read once from the chunk when it lies wholly in it, else from the parts kept. */
  private elementText(chunk: Buffer, segmentStart: number, end: number): string {
    if (segmentStart >= 0 && this.parts.length === 0 && !this.oversized && end - segmentStart <= this.options.maxRecordBytes) {
      return chunk.toString('utf8', segmentStart, end);
    }
    if (segmentStart >= 0) this.keep(chunk, segmentStart, end);
    return Buffer.concat(this.parts, this.partsLength).toString('utf8');
  }

  private endElement(chunk: Buffer, segmentStart: number, end: number): void {
    this.phase = this.topLevelObject ? 'after' : 'between';
    this.index += 1;
    const endOffset = this.consumed + end;
    const position: RecordPosition = { line: this.index, startOffset: this.elementStart, endOffset };
    this.lastEnd = endOffset;
    const text = this.elementText(chunk, segmentStart, end);
    this.parts = [];
    if (this.oversized) {
      this.bad(`${BAD_REASON.lineTooLong}: element larger than ${this.options.maxRecordBytes} bytes`, text.slice(0, 4096), position);
      return;
    }
    if (jsonTooDeep(text)) {
      this.bad(tooDeepReason(), text.slice(0, 4096), position);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.bad(`${BAD_REASON.invalidJson}: ${(err as Error).message}`, text, position);
      return;
    }
    this.handler.record(value, position, text);
  }

  private breakUnit(reason: string, i: number, withTail = false): void {
    const full = reason.startsWith(BAD_REASON.truncated) ? reason : `${BAD_REASON.invalidJson}: ${reason}`;
    this.damaged = full;
    const at = this.consumed + i;
    const raw = withTail && this.parts.length > 0 ? Buffer.concat(this.parts).toString('utf8').slice(0, 4096) : '';
    this.bad(full, raw, { line: this.index + 1, startOffset: withTail ? this.elementStart : at, endOffset: at });
    this.phase = 'broken';
  }

  private bad(reason: string, raw: string, position: RecordPosition): void {
    this.handler.bad({ file: this.options.file, line: position.line, offset: position.startOffset, reason, raw }, position);
  }
}

function isSpace(c: number): boolean {
  return c === C.Space || c === C.Newline || c === C.Return || c === C.Tab;
}
