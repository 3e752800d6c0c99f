import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteRound } from '../../src/reports/sqlite-round.js';
import { mulberry32 } from '../helpers/prng.js';

describe('sqliteRound', () => {
  it("gives what SQLite's round() gives, ties of the digits SQLite sees included", () => {
    const db = new Database(':memory:');
    const round = db.prepare('SELECT round(?, ?)').pluck();
    const rnd = mulberry32(3);
    const values = [1261.9495, 1261949.5 / 1000, 16758.9195, 0.0005, 2.5, -2.5, 1.0005, 12.3455, 1e16 + 2, 0, -0.0004, 4503599627370497];
    for (let i = 0; i < 20_000; i++) {
      values.push(Math.floor(rnd() * 1e8) / 2000, -Math.floor(rnd() * 1e9) / 20000, (rnd() - 0.5) * 10 ** Math.floor(rnd() * 14 - 6));
    }
    const differ: string[] = [];
    for (const x of values) {
      for (const places of [1, 2, 3, 4, 6]) {
        const want = round.get(x, places);
        if (!Object.is(sqliteRound(x, places), want)) differ.push(`round(${x}, ${places}) = ${String(want)}, got ${sqliteRound(x, places)}`);
      }
    }
    db.close();
    expect(differ).toEqual([]);
    expect(sqliteRound(1261.9495, 3)).toBe(1261.949);
    expect(sqliteRound(16758.9195, 3)).toBe(16758.92);
  });
});
