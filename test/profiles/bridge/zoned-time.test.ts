import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { epochMsOf } from '../../../src/profiles/bridge/zoned-time.js';

/** GNU date's epoch seconds of a wall time in a zone (the oracle: not our code). */
const gnuDate = (zone: string, wall: string): number =>
  Number(execFileSync('date', ['-d', wall, '+%s'], { env: { ...process.env, TZ: zone }, encoding: 'utf8' }).trim());

describe('epochMsOf: ISO wall times read in an IANA zone', () => {
  const cases: Array<[string, string]> = [
    ['UTC', '2025-09-10 10:27:08'],
    ['America/Chicago', '2025-09-10 10:27:08'],
    ['America/Chicago', '2025-01-15 23:59:59'],
    ['Europe/Berlin', '2025-03-30 01:59:59'],
    ['Europe/Berlin', '2025-03-30 03:00:00'],
    ['Europe/Berlin', '2025-10-26 01:59:59'],
    ['Europe/Berlin', '2025-10-26 03:00:00'],
    ['Asia/Kolkata', '2024-02-29 12:00:00'],
    ['Australia/Lord_Howe', '2025-06-01 00:00:00'],
  ];
  it.each(cases)('%s %s agrees with GNU date', (zone, wall) => {
    expect(epochMsOf(`${wall.replace(' ', 'T')}.250`, zone)).toBe(gnuDate(zone, wall) * 1000 + 250);
  });

  it('takes microseconds down to the millisecond, and honours a zone written in the text', () => {
    expect(epochMsOf('2025-09-10T10:27:08.174280', 'UTC')).toBe(Date.UTC(2025, 8, 10, 10, 27, 8, 174));
    expect(epochMsOf('2025-09-10T10:27:08Z', 'America/Chicago')).toBe(Date.UTC(2025, 8, 10, 10, 27, 8));
    expect(epochMsOf('2025-09-10T10:27:08-05:00', 'Europe/Berlin')).toBe(Date.UTC(2025, 8, 10, 15, 27, 8));
  });

  it('a wall time repeated when the clocks go back is its first occurrence', () => {
    // Berlin, 2025-10-26: 02:30 happens at 00:30Z (summer time) and again at 01:30Z.
    expect(epochMsOf('2025-10-26T02:30:00', 'Europe/Berlin')).toBe(Date.UTC(2025, 9, 26, 0, 30));
  });

  it('is undefined for what is not an ISO date-time', () => {
    for (const bad of ['09/10/25 10:27:08.17am', '2025-13-01T00:00:00', '2025-09-10', '', '2025-09-10T25:00:00']) expect(epochMsOf(bad, 'UTC'), bad).toBeUndefined();
  });
});
