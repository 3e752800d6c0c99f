import type { Decoder } from './decoder.js';

/**
 * Reads a unit with the decoder its first bytes call for (`choose`: the decoders' sniffs; undefined
 * while there is only white space). Bytes are held until the choice is made; a unit of nothing but
 * white space goes to `fallback`.
 */
export class SniffingDecoder implements Decoder {
  private chosen: Decoder | undefined;
  private held: Buffer[] = [];

  constructor(
    private readonly choose: (head: Buffer) => Decoder | undefined,
    private readonly fallback: () => Decoder,
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
    this.chosen = this.choose(chunk);
    if (!this.chosen) return;
    const held = this.held;
    this.held = [];
    for (const h of held) this.chosen.push(h);
  }

  finish(partial: 'decode' | 'dead-letter'): void {
    if (!this.chosen) {
      // Only white space (or nothing): lines, which treat it as blank.
      this.chosen = this.fallback();
      for (const h of this.held) this.chosen.push(h);
      this.held = [];
    }
    this.chosen.finish(partial);
  }
}
