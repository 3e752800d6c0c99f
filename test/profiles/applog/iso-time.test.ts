import { describe, expect, it } from 'vitest';
import { isoTime } from '../../../src/profiles/applog/iso-time.js';

/** The oracle: what the map wrote before it knew the ISO form (Date parses, then writes). */
function viaDate(v: string): string | null {
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

describe('applog isoTime: an ISO string is its own answer only when Date would write it back alike', () => {
  it('answers as Date does for every day of every month (leap years, days past the month, hours 24, seconds 60)', () => {
    let checked = 0;
    for (const year of [0, 1, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          for (const [h, m, s] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [12, 60, 0], [12, 0, 60]] as const) {
            for (const ms of [0, 999]) {
              const v = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
              expect(isoTime(v), v).toBe(viaDate(v));
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(10 * 14 * 33 * 5 * 2);
  });

  it('answers as Date does for other forms and for numbers', () => {
    const forms = [
      '2025-04-01T00:00:00.013Z', '2025-04-01T00:00:00Z', '2025-04-01T00:00:00.01Z', '2025-04-01t00:00:00.013Z',
      '2025-04-01T00:00:00.013+00:00', '2025-04-01 00:00:00.013Z', '+002025-04-01T00:00:00.000Z', '2025-04-01',
      '2025-4-01T00:00:00.013Z', 'Tue, 01 Apr 2025 00:00:00 GMT', 'not a time', '', '2025-04-01T00:00:00.0a3Z',
    ];
    for (const v of forms) expect(isoTime(v), v).toBe(viaDate(v));
    expect(isoTime(1743465600013)).toBe('2025-04-01T00:00:00.013Z');
    expect(isoTime(Number.NaN)).toBeNull();
    expect(isoTime(null)).toBeNull();
  });
});
