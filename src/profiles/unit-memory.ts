/** Distinct contents a unit's memory counts before it forgets the least recently seen. */
export const UNIT_MEMORY_DISTINCT = 100_000;

/**
 * What a profile remembers from one record to the next of one unit (a file, an object): how often a
 * content was seen, and a few named values (the run a bridge record belongs to). It is made afresh
 * for each unit and fed the unit's records in order, from its first, so the same bytes give the same
 * memory whatever the unit is called, and a unit resumed mid-way is replayed from its start (see
 * `Profile.unitHistory`). Memory stays bounded: it counts at most `UNIT_MEMORY_DISTINCT` distinct
 * contents, forgetting the least recently seen, deterministically (the same input forgets the same).
 */
export class UnitMemory {
  private readonly seen = new Map<string, number>();
  private readonly values = new Map<string, string>();

  constructor(private readonly distinct = UNIT_MEMORY_DISTINCT) {}

  /** How many times `content` (a hash) was seen before in this unit; counts this time. */
  occurrence(content: string): number {
    const before = this.seen.get(content) ?? 0;
    // Delete and set again: the Map's order is then least recently seen first.
    if (before > 0) this.seen.delete(content);
    this.seen.set(content, before + 1);
    if (this.seen.size > this.distinct) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return before;
  }

  /** A value remembered under `name` in this unit. */
  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** Remembers `value` under `name` for the unit's later records. */
  set(name: string, value: string): void {
    this.values.set(name, value);
  }
}
