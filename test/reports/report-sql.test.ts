import { describe, expect, it } from 'vitest';
import { limitArg, textOrder } from '../../src/reports/report-sql.js';

describe('dialect helpers', () => {
  it('no limit is -1 in SQLite and NULL in PostgreSQL; text orders bytewise with SQLite NULL placement', () => {
    expect(limitArg('sqlite', {})).toBe(-1);
    expect(limitArg('postgres', {})).toBeNull();
    expect(limitArg('postgres', { limit: 5 })).toBe(5);
    expect(textOrder('sqlite', 'plate')).toBe('plate');
    expect(textOrder('sqlite', 'plate', 'last')).toBe('plate NULLS LAST');
    expect(textOrder('postgres', 'plate')).toBe('plate COLLATE "C" NULLS FIRST');
  });
});
