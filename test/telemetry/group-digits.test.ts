import { describe, expect, it } from 'vitest';
import { groupDigits } from '../../src/telemetry/group-digits.js';

describe('groupDigits', () => {
  it('writes integers as toLocaleString("en") does', () => {
    for (const n of [0, 7, 999, 1000, 12345, 999999, 1000000, 83385.4, 83385.6, 1234567890, -1234, -1234.5, -999.6]) {
      expect(groupDigits(n)).toBe(Math.round(n).toLocaleString('en'));
    }
  });
});
