import type { Decoder } from './decoder.js';
import { firstNonSpace, jsonShape } from './unit-content.js';

/**
 * Reads a unit as JSON lines or one JSON array, as its content says (`jsonShape`: the first byte that
 * is not white space, with the unit's name as a hint only for text that is not JSON at all).
 */
export class SniffingDecoder implements Decoder {
  private chosen: Decoder | undefined;
  private held: Buffer[] = [];

  constructor(
    private readonly name: string,
    private readonly make: { array: () => Decoder; lines: () => Decoder },
  ) {}

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
    const shape = jsonShape(firstNonSpace(chunk), this.name);
    if (shape === undefined) return;
    this.chosen = shape === 'lines' ? this.make.lines() : this.make.array();
    const held = this.held;
    this.held = [];
    for (const h of held) this.chosen.push(h);
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
