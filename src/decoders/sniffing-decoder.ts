import type { Decoder } from './decoder.js';

/**
 * For `.json` files, which in the wild hold either one JSON array or JSON lines: looks at the first
 * byte that is not white space and hands the unit to NDJSON for `{` (objects, one per line), else to
 * the array decoder, which also reports a file that is not JSON at all as a damaged unit.
 */
export class SniffingDecoder implements Decoder {
  private chosen: Decoder | undefined;
  private held: Buffer[] = [];

  constructor(private readonly make: { array: () => Decoder; lines: () => Decoder }) {}

  get offset(): number {
    return this.chosen?.offset ?? 0;
  }

  get line(): number {
    return this.chosen?.line ?? 0;
  }

  get damaged(): string | undefined {
    return this.chosen?.damaged;
  }

  push(chunk: Buffer): void {
    if (this.chosen) {
      this.chosen.push(chunk);
      return;
    }
    this.held.push(Buffer.from(chunk));
    for (const c of chunk) {
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      this.chosen = c === 0x7b ? this.make.lines() : this.make.array();
      const held = this.held;
      this.held = [];
      for (const h of held) this.chosen.push(h);
      return;
    }
  }

  finish(partial: 'decode' | 'dead-letter'): void {
    if (!this.chosen) {
      // Only white space (or nothing): lines, which treat it as blank.
      this.chosen = this.make.lines();
      for (const h of this.held) this.chosen.push(h);
      this.held = [];
    }
    this.chosen.finish(partial);
  }
}
