/** Ranking of `report similar`: the order of hits, and keeping the best `k` of them. */

/** One scored post. */
export interface Hit {
  id: number;
  similarity: number;
}

/** The order of a result: best first, ties by lower id, so it never depends on scan order or timing. */
export function byRank(a: Hit, b: Hit): number {
  return b.similarity - a.similarity || a.id - b.id;
}

/**
 * Keeps the `k` best hits seen so far, in `byRank` order whatever order they come in (a scan thread's
 * range, an author's index order). An insertion into a short sorted array: with k in the tens, cheaper
 * than a heap, and most candidates are turned away by `admits`, one comparison with the worst.
 */
export class TopK {
  private readonly kept: Hit[] = [];
  private sorted = true;

  /** `k` Infinity keeps every hit, sorted once at the end (an insertion sort would be quadratic). */
  constructor(private readonly k: number) {}

  /** The hits, best first. */
  get hits(): Hit[] {
    if (!this.sorted) {
      this.kept.sort(byRank);
      this.sorted = true;
    }
    return this.kept;
  }

  /**
   * Whether a hit with this score may enter. Until the list is full, every real number may (never
   * NaN); then one at least as good as the worst kept (a tie enters only by a lower id, which `add`
   * decides).
   */
  admits(similarity: number): boolean {
    if (this.kept.length < this.k) return similarity > -Infinity;
    return similarity >= (this.kept[this.kept.length - 1]?.similarity ?? Infinity);
  }

  add(id: number, similarity: number): void {
    const hits = this.kept;
    if (this.k === Infinity) {
      hits.push({ id, similarity });
      this.sorted = false;
      return;
    }
    let i = hits.length;
    for (; i > 0; i--) {
      const before = hits[i - 1] as Hit;
      if (before.similarity > similarity || (before.similarity === similarity && before.id < id)) break;
    }
    if (i >= this.k) return;
    hits.splice(i, 0, { id, similarity });
    if (hits.length > this.k) hits.pop();
  }
}

/**
 * The best `k` of several parts' results, each already the best `k` of its own disjoint rows: the
 * same hits, in the same order, as one scan over all the rows would keep.
 */
export function mergeHits(parts: readonly Hit[][], k: number | undefined): Hit[] {
  const all = parts.flat().sort(byRank);
  return k === undefined ? all : all.slice(0, k);
}
