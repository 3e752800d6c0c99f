/** Where a line sits in its unit: byte offsets of its first byte and of the byte after its newline. */
export interface LineSpan {
  /** 1-based line number within the unit. */
  line: number;
  /** Byte offset of the line's first byte. */
  startOffset: number;
  /** Byte offset just past the line's newline (the resume point once this line is done). */
  endOffset: number;
  /** True when the line ran past `maxLineBytes`; only its first bytes are passed on. */
  oversized: boolean;
  /** True for a last line that had no newline (only passed on by `finish`). */
  unterminated: boolean;
}

/** Called for every line; `buf[start, end)` are its bytes without the newline (and without a `\r`). */
export type LineHandler = (buf: Buffer, start: number, end: number, span: LineSpan) => void;

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/**
 * Splits a byte stream into lines on Buffers, without decoding to strings first, keeping exact byte
 * offsets so a cursor can point at the end of the last complete line. A line longer than
 * `maxLineBytes` is reported as oversized with only its head kept, so memory stays bounded.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryLength = 0;
  private carryDropped = 0;
  private nextOffset: number;
  private lineNumber: number;

  constructor(
    private readonly maxLineBytes: number,
    startOffset = 0,
    startLine = 0,
  ) {
    this.nextOffset = startOffset;
    this.lineNumber = startLine;
  }

  /** Byte offset just past the last complete line handed out. */
  get offset(): number {
    return this.nextOffset;
  }

  /** Number of the last complete line handed out. */
  get line(): number {
    return this.lineNumber;
  }

  /** Bytes held back as an incomplete last line. */
  get pendingBytes(): number {
    return this.carryLength + this.carryDropped;
  }

  /** Feeds bytes; calls `onLine` for every line completed by them. The chunk may be reused after. */
  push(chunk: Buffer, onLine: LineHandler): void {
    let pos = 0;
    if (this.pendingBytes > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.hold(chunk, 0, chunk.length);
        return;
      }
      this.hold(chunk, 0, nl);
      this.emitCarry(onLine, false);
      pos = nl + 1;
    }
    let nl: number;
    while ((nl = chunk.indexOf(NEWLINE, pos)) !== -1) {
      this.emit(chunk, pos, nl, nl + 1 - pos, onLine, false);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.hold(chunk, pos, chunk.length);
  }

  /** Ends the stream: a last line without a newline is handed out marked `unterminated`. */
  finish(onLine: LineHandler): void {
    if (this.pendingBytes > 0) this.emitCarry(onLine, true);
  }

  private emitCarry(onLine: LineHandler, unterminated: boolean): void {
    const kept = this.carry.length === 1 ? (this.carry[0] as Buffer) : Buffer.concat(this.carry, this.carryLength);
    const total = this.carryLength + this.carryDropped + (unterminated ? 0 : 1);
    const oversized = this.carryDropped > 0;
    this.carry = [];
    this.carryLength = 0;
    this.carryDropped = 0;
    this.emitSpan(kept, 0, kept.length, total, oversized, unterminated, onLine);
  }

  private emit(buf: Buffer, start: number, end: number, consumed: number, onLine: LineHandler, unterminated: boolean): void {
    const oversized = end - start > this.maxLineBytes;
    this.emitSpan(buf, start, oversized ? start + this.maxLineBytes : end, consumed, oversized, unterminated, onLine);
  }

  private emitSpan(
    buf: Buffer,
    start: number,
    end: number,
    consumed: number,
    oversized: boolean,
    unterminated: boolean,
    onLine: LineHandler,
  ): void {
    const startOffset = this.nextOffset;
    this.nextOffset += consumed;
    this.lineNumber += 1;
    const trimmed = !oversized && end > start && buf[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    onLine(buf, start, trimmed, {
      line: this.lineNumber,
      startOffset,
      endOffset: this.nextOffset,
      oversized,
      unterminated,
    });
  }

  private hold(buf: Buffer, start: number, end: number): void {
    const room = this.maxLineBytes - this.carryLength;
    const take = Math.max(0, Math.min(room, end - start));
    if (take > 0) {
      // Copy: the caller may reuse its buffer for the next read.
      this.carry.push(Buffer.from(buf.subarray(start, start + take)));
      this.carryLength += take;
    }
    this.carryDropped += end - start - take;
  }
}
