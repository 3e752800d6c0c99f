/**
 * Stream sequences whose rows are committed, as sorted ranges. It is what the `consume` cursor holds
 * (in the cursor's `identity`, as `lo-hi,lo-hi`), written in each batch's transaction, so a message
 * redelivered after its batch committed (the ack was lost in a crash or a dropped connection) is
 * recognised and skipped. Ranges at or below the consumer's ack floor are dropped: JetStream never
 * redelivers those, so the set stays as small as the batches in flight.
 */
export class CommittedSequences {
  private ranges: Array<[number, number]> = [];

  /** Parses the text form (empty or unknown text is an empty set). */
  static parse(text: string): CommittedSequences {
    const s = new CommittedSequences();
    for (const part of text.split(',')) {
      const m = /^(\d+)-(\d+)$/.exec(part);
      if (m) s.ranges.push([Number(m[1]), Number(m[2])]);
    }
    s.ranges.sort((a, b) => a[0] - b[0]);
    return s;
  }

  has(seq: number): boolean {
    for (const [lo, hi] of this.ranges) {
      if (seq < lo) return false;
      if (seq <= hi) return true;
    }
    return false;
  }

  /** Adds sequences (any order). */
  addAll(seqs: readonly number[]): void {
    const all = [...this.ranges];
    for (const q of seqs) all.push([q, q]);
    all.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of all) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.ranges = merged;
  }

  /** Forgets everything at or below `floor` (acknowledged: never delivered again). */
  pruneTo(floor: number): void {
    this.ranges = this.ranges.filter(([, hi]) => hi > floor).map(([lo, hi]) => [Math.max(lo, floor + 1), hi]);
  }

  /** The highest sequence in the set, 0 when empty. */
  get last(): number {
    return this.ranges[this.ranges.length - 1]?.[1] ?? 0;
  }

  toString(): string {
    return this.ranges.map(([lo, hi]) => `${lo}-${hi}`).join(',');
  }
}
