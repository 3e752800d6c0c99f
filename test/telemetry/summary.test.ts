import { describe, expect, it } from 'vitest';
import { formatSummary, runSummary } from '../../src/telemetry/summary.js';
import { snapshotOf } from './snapshot.js';

describe('run summary', () => {
  it('read counts good and bad records; the dead-letter path is named only when something went there', () => {
    const clean = runSummary(snapshotOf({ read: 10, written: 8, duplicates: 2, unitsDone: 1 }, 2, { phase: 'done' }), 'sqlite:a.db', 'a.dead-letter.ndjson');
    expect(clean).toMatchObject({ status: 'done', read: 10, inserted: 8, duplicates: 2, bad: 0, rows_per_sec: 5, dead_letter: null, sink: 'sqlite:a.db' });
    const bad = runSummary(snapshotOf({ read: 10, written: 10, bad: 3 }, 1), 'sqlite:a.db', 'a.dead-letter.ndjson');
    expect(bad).toMatchObject({ read: 13, bad: 3, dead_letter: 'a.dead-letter.ndjson' });
  });

  it('prints the lines people read, with warnings and the dead-letter file only when there are some', () => {
    const sum = runSummary(snapshotOf({ read: 995, written: 990, duplicates: 5, bad: 5, skipped: 2, unitsDone: 3, unitsRead: 3, unitsSkipped: 1 }, 2.04, { phase: 'done' }), 'sqlite:x.db', 'x.dl');
    expect(formatSummary(sum).split('\n')).toEqual([
      'done: 990 inserted, 5 duplicates, 5 bad, 2 skipped of 1002 records in 2.0 s (491 records/s)',
      '  files: 3 read, 1 already done; sink: sqlite:x.db',
      '  bad records written to x.dl',
    ]);
    const warned = runSummary(snapshotOf({ read: 3, written: 3, warnings: 2 }, 1), 'sqlite:y.db', null);
    expect(formatSummary(warned)).toContain('2 records stored with a part left out');
    expect(formatSummary(warned)).not.toContain('bad records written');
  });
});
