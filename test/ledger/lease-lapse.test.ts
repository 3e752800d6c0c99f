import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { tempDir } from '../helpers/cli.js';

describe('a unit whose workers keep dying on it', () => {
  it('is FAILED once its lease lapsed after max attempts, not handed out forever', async () => {
    const ledger = new SqliteLedger(join(tempDir(), 'ledger.db'));
    await ledger.open();
    try {
      await ledger.register([{ bucket: 'b', key: 'poison.json', size: 1, sortKey: '2025-01-01' }]);
      // Two claims whose leases lapse (the workers were killed), with max attempts 2.
      expect(await ledger.claim('b', 'w1', 0.05, 1, 2)).toHaveLength(1);
      await sleep(80);
      expect(await ledger.claim('b', 'w2', 0.05, 1, 2)).toHaveLength(1);
      await sleep(80);
      expect(await ledger.claim('b', 'w3', 0.05, 1, 2)).toHaveLength(0);
      const page = await ledger.list({ status: 'FAILED', limit: 10, page: 1 });
      expect(page.units.map((u) => [u.key, u.attempts])).toEqual([['poison.json', 2]]);
      expect(page.units[0]?.error).toMatch(/lease lapsed 2 times/);
    } finally {
      await ledger.close();
    }
  });
});
