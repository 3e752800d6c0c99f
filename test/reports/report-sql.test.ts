import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { limitArg, textOrder } from '../../src/reports/report-sql.js';
import { sqliteRound } from '../../src/reports/sqlite-round.js';
import { mulberry32 } from '../helpers/prng.js';

describe('dialect helpers', () => {
  it('sqliteRound gives what SQLite round() gives, ties of the digits SQLite sees included', () => {
    const db = new Database(':memory:');
    const round = db.prepare('SELECT round(?, ?)').pluck();
    const rnd = mulberry32(3);
    const values = [1261.9495, 1261949.5 / 1000, 0.0005, 2.5, -2.5, 1.0005, 12.3455, 1e16 + 2, 0, -0.0004, 4503599627370497];
    for (let i = 0; i < 20_000; i++) {
      values.push(Math.floor(rnd() * 1e8) / 2000, -Math.floor(rnd() * 1e9) / 20000, (rnd() - 0.5) * 10 ** Math.floor(rnd() * 14 - 6));
    }
    for (const x of values) {
      for (const places of [1, 2, 3, 4]) expect(sqliteRound(x, places), `round(${x}, ${places})`).toBe(round.get(x, places));
    }
    db.close();
  });

  it('no limit is -1 in SQLite and NULL in PostgreSQL; text orders bytewise with SQLite NULL placement', () => {
    expect(limitArg('sqlite', {})).toBe(-1);
    expect(limitArg('postgres', {})).toBeNull();
    expect(limitArg('postgres', { limit: 5 })).toBe(5);
    expect(textOrder('sqlite', 'plate')).toBe('plate');
    expect(textOrder('sqlite', 'plate', 'last')).toBe('plate NULLS LAST');
    expect(textOrder('postgres', 'plate')).toBe('plate COLLATE "C" NULLS FIRST');
  });
});
