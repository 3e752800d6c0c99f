import { describe, expect, it } from 'vitest';
import { UnitMemory } from '../../src/profiles/unit-memory.js';

describe('UnitMemory: what a profile remembers within one unit', () => {
  it('counts earlier occurrences of a content', () => {
    const m = new UnitMemory();
    expect(['a', 'b', 'a', 'a', 'b'].map((c) => m.occurrence(c))).toEqual([0, 0, 1, 2, 1]);
  });

  it('forgets the least recently seen content past its bound, the same way for the same input', () => {
    const run = (): number[] => {
      const m = new UnitMemory(2);
      // a, b, a (a is fresh again), c: b is the least recently seen and is forgotten; a is kept.
      return ['a', 'b', 'a', 'c', 'a', 'b'].map((c) => m.occurrence(c));
    };
    expect(run()).toEqual([0, 0, 1, 0, 2, 0]);
    expect(run()).toEqual(run());
  });

  it('keeps named values', () => {
    const m = new UnitMemory();
    expect(m.get('run')).toBeUndefined();
    m.set('run', 'r1');
    expect(m.get('run')).toBe('r1');
  });
});
