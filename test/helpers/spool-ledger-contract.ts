import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import type { DiscoveredUnit, Ledger } from '../../src/ledger/ledger.js';

/** Makes ledgers on one fresh store (each call a new connection to the same store). */
export interface LedgerStore {
  open(): Promise<Ledger>;
}

const BUCKET = 'bucket-a';

function units(n: number, bucket = BUCKET): DiscoveredUnit[] {
  // Registered newest first: claim order must come from sort keys, not from insertion order.
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.parse('2025-04-01T00:00:00Z') + (n - 1 - i) * 60_000).toISOString();
    return { bucket, key: `k${String(n - 1 - i).padStart(3, '0')}.json.gz`, size: 100 + i, sortKey: `${at} k${n - 1 - i}` };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The behaviour every ledger must have, whatever it is stored in: registration once per unit, claims
 * oldest first and to one worker each, leases that lapse, backoff that doubles, FAILED after the last
 * attempt, and the retry / release / list operations of `sluice jobs`.
 */
export function ledgerContract(makeStore: () => LedgerStore): void {
  const withLedger = async (body: (ledger: Ledger, store: LedgerStore) => Promise<void>): Promise<void> => {
    const store = makeStore();
    const ledger = await store.open();
    try {
      await body(ledger, store);
    } finally {
      await ledger.close();
    }
  };

  it('registers each unit once and hands out due units oldest first, each to one worker', () =>
    withLedger(async (ledger) => {
      expect(await ledger.register(units(5))).toBe(5);
      expect(await ledger.register(units(6))).toBe(1);
      expect(await ledger.register([{ bucket: 'other', key: 'k000.json.gz', size: 1, sortKey: '2020-01-01T00:00:00.000Z k' }])).toBe(1);
      const a = await ledger.claim(BUCKET, 'w1', 60, 2);
      expect(a.map((u) => [u.key, u.status, u.attempts, u.worker])).toEqual([
        ['k000.json.gz', 'PROCESSING', 1, 'w1'],
        ['k001.json.gz', 'PROCESSING', 1, 'w1'],
      ]);
      expect(Date.parse(a[0]?.leaseUntil ?? '') - Date.now()).toBeGreaterThan(50_000);
      const b = await ledger.claim(BUCKET, 'w2', 60, 10);
      expect(b.map((u) => u.key)).toEqual(['k002.json.gz', 'k003.json.gz', 'k004.json.gz', 'k005.json.gz']);
      expect(await ledger.claim(BUCKET, 'w3', 60, 10)).toEqual([]);
      await ledger.complete(BUCKET, 'k000.json.gz');
      const page = await ledger.list({ status: 'COMPLETED', limit: 10, page: 1 });
      expect(page.total).toBe(1);
      expect(page.units[0]).toMatchObject({ key: 'k000.json.gz', status: 'COMPLETED', leaseUntil: null });
      expect(page.units[0]?.processedAt).not.toBeNull();
    }));

  it('does a COMPLETED or FAILED unit again when its version changes (same name, new content), not a PROCESSING one', () =>
    withLedger(async (ledger) => {
      const [a, b] = units(2).map((u) => ({ ...u, version: 'etag-1' }));
      if (!a || !b) throw new Error('units');
      await ledger.register([a, b]);
      const claimed = await ledger.claim(BUCKET, 'w', 60, 2);
      expect(claimed).toHaveLength(2);
      await ledger.complete(BUCKET, claimed[0]?.key ?? '');
      // Listed again unchanged: nothing happens.
      expect(await ledger.register([a, b])).toBe(0);
      expect(await ledger.claim(BUCKET, 'w', 60, 2)).toEqual([]);
      // Replaced: the COMPLETED one is PENDING again with its attempts reset; the PROCESSING one is left to its worker.
      await ledger.register([a, b].map((u) => ({ ...u, version: 'etag-2', size: u.size + 1 })));
      const again = await ledger.claim(BUCKET, 'w2', 60, 2);
      expect(again.map((u) => [u.key, u.attempts, u.size])).toEqual([[claimed[0]?.key, 1, (claimed[0]?.size ?? 0) + 1]]);
    }));

  it('counts no attempt for units claimed ahead until they begin (a worker dying with a prefetch charges nothing)', () =>
    withLedger(async (ledger) => {
      await ledger.register(units(3));
      const ahead = await ledger.claim(BUCKET, 'dead', 1, 3, 2, { ahead: true });
      expect(ahead.map((u) => [u.key, u.status, u.attempts])).toEqual([
        ['k000.json.gz', 'PROCESSING', 0],
        ['k001.json.gz', 'PROCESSING', 0],
        ['k002.json.gz', 'PROCESSING', 0],
      ]);
      expect(await ledger.begin(BUCKET, 'k000.json.gz', 1, 'dead')).toBe(true);
      // The worker dies; its leases lapse twice over: only the unit it had begun nears max attempts.
      for (let round = 0; round < 2; round++) {
        await sleep(1200);
        const again = await ledger.claim(BUCKET, `w${round}`, 1, 3, 2, { ahead: true });
        if (round === 0) {
          // The dead worker's turn would come too late: the unit is w0's now.
          expect(await ledger.begin(BUCKET, 'k000.json.gz', 1, 'dead')).toBe(false);
          expect(await ledger.begin(BUCKET, 'k000.json.gz', 1, 'w0')).toBe(true);
        }
        expect(again.map((u) => u.key).sort()).toEqual(round === 0 ? ['k000.json.gz', 'k001.json.gz', 'k002.json.gz'] : ['k001.json.gz', 'k002.json.gz']);
      }
      const failed = await ledger.list({ status: 'FAILED', limit: 10, page: 1 });
      expect(failed.units.map((u) => [u.key, u.attempts])).toEqual([['k000.json.gz', 2]]);
    }));

  it('takes back at once the units of a dead process on this host (pid and boot id kept with the lease), not those of a live one or of another host', () =>
    withLedger(async (ledger) => {
      await ledger.register(units(3));
      const gone = spawnSync(process.execPath, ['-e', '']).pid; // a pid that has just ended
      const dead = `${hostname()}:${gone}`;
      const live = `${hostname()}:${process.pid}`;
      // The dead holder claims last: any later claim takes its unit back.
      const [l] = await ledger.claim(BUCKET, live, 300, 1);
      const [o] = await ledger.claim(BUCKET, 'another-host.example:4242', 300, 1);
      const [d] = await ledger.claim(BUCKET, dead, 300, 1);
      expect([l?.key, o?.key, d?.key]).toEqual(['k000.json.gz', 'k001.json.gz', 'k002.json.gz']);
      // Leases of 300 s: only the dead holder's unit is due now, and it counts its attempt.
      const taken = await ledger.claim(BUCKET, 'next', 60, 5);
      expect(taken.map((u) => [u.key, u.attempts, u.worker])).toEqual([['k002.json.gz', 2, 'next']]);
      expect(await ledger.claim(BUCKET, 'next', 60, 5)).toEqual([]);
    }));

  it('takes a PROCESSING unit again once its lease lapsed (its worker died), counting the attempt', () =>
    withLedger(async (ledger) => {
      await ledger.register(units(2));
      const [first] = await ledger.claim(BUCKET, 'dead', 1, 1);
      expect(first?.key).toBe('k000.json.gz');
      expect((await ledger.claim(BUCKET, 'live', 60, 5)).map((u) => u.key)).toEqual(['k001.json.gz']);
      expect(await ledger.claim(BUCKET, 'live', 60, 5)).toEqual([]);
      const due = await ledger.nextDue(BUCKET);
      expect(due).not.toBeNull();
      await sleep(1200);
      const [again] = await ledger.claim(BUCKET, 'live', 60, 5);
      expect(again).toMatchObject({ key: 'k000.json.gz', attempts: 2, worker: 'live' });
    }));

  it('backs off exponentially after a failure, then FAILED at max attempts; retry resets, release frees', () =>
    withLedger(async (ledger) => {
      await ledger.register(units(1));
      const base = 0.4;
      await ledger.claim(BUCKET, 'w', 60, 1);
      expect(await ledger.fail(BUCKET, 'k000.json.gz', 'boom 1', 3, base)).toBe('PENDING');
      const after1 = (await ledger.list({ limit: 10, page: 1 })).units[0];
      expect(after1).toMatchObject({ status: 'PENDING', attempts: 1, error: 'boom 1', leaseUntil: null });
      const wait1 = Date.parse(after1?.nextAttemptAt ?? '') - Date.parse(after1?.updatedAt ?? '');
      expect(wait1).toBeGreaterThanOrEqual(base * 1000 - 60);
      expect(wait1).toBeLessThanOrEqual(base * 1000 + 60);
      expect(await ledger.claim(BUCKET, 'w', 60, 1)).toEqual([]); // not due yet
      expect(await ledger.nextDue(BUCKET)).toBe(after1?.nextAttemptAt);
      await sleep(base * 1000 + 100);
      expect(await ledger.claim(BUCKET, 'w', 60, 1)).toHaveLength(1);
      expect(await ledger.fail(BUCKET, 'k000.json.gz', 'boom 2', 3, base)).toBe('PENDING');
      const after2 = (await ledger.list({ limit: 10, page: 1 })).units[0];
      const wait2 = Date.parse(after2?.nextAttemptAt ?? '') - Date.parse(after2?.updatedAt ?? '');
      expect(wait2).toBeGreaterThanOrEqual(2 * base * 1000 - 60); // doubled
      expect(wait2).toBeLessThanOrEqual(2 * base * 1000 + 60);
      await sleep(2 * base * 1000 + 100);
      expect(await ledger.claim(BUCKET, 'w', 60, 1)).toHaveLength(1);
      expect(await ledger.fail(BUCKET, 'k000.json.gz', 'boom 3', 3, base)).toBe('FAILED');
      expect((await ledger.list({ status: 'FAILED', limit: 10, page: 1 })).units[0]).toMatchObject({ attempts: 3, error: 'boom 3', nextAttemptAt: null });
      expect(await ledger.claim(BUCKET, 'w', 60, 1)).toEqual([]);
      expect(await ledger.nextDue(BUCKET)).toBeNull();

      expect(await ledger.release('k000.json.gz')).toBe(false); // not PROCESSING
      expect(await ledger.retry({ allFailed: true })).toBe(1);
      const [retried] = await ledger.claim(BUCKET, 'w', 60, 1);
      expect(retried).toMatchObject({ attempts: 1, status: 'PROCESSING' });
      expect(await ledger.release('k000.json.gz')).toBe(true);
      expect((await ledger.list({ status: 'PENDING', limit: 10, page: 1 })).total).toBe(1);
      expect(await ledger.claim(BUCKET, 'w2', 60, 1)).toHaveLength(1);
    }));

  it('nextDue of a retried unit held by another worker is its lease end, not its old backoff time', () =>
    withLedger(async (ledger) => {
      // Once-mode workers sleep until nextDue; a past time makes them poll the ledger every 50 ms.
      await ledger.register(units(1));
      await ledger.claim(BUCKET, 'a', 60, 1);
      await ledger.fail(BUCKET, 'k000.json.gz', 'boom', 5, 0.05);
      await sleep(100);
      const [held] = await ledger.claim(BUCKET, 'b', 60, 1);
      expect(held).toMatchObject({ status: 'PROCESSING', attempts: 2 });
      const due = await ledger.nextDue(BUCKET);
      expect(Date.parse(due ?? '') - Date.now()).toBeGreaterThan(50_000);
    }));

  it('lists by status, newest update first, paged with a total', () =>
    withLedger(async (ledger) => {
      await ledger.register(units(7));
      await ledger.claim(BUCKET, 'w', 60, 3);
      const p1 = await ledger.list({ limit: 3, page: 1 });
      const p3 = await ledger.list({ limit: 3, page: 3 });
      expect(p1.total).toBe(7);
      expect(p1.units).toHaveLength(3);
      expect(p3.units).toHaveLength(1);
      expect((await ledger.list({ status: 'PROCESSING', limit: 50, page: 1 })).units.map((u) => u.key).sort()).toEqual(['k000.json.gz', 'k001.json.gz', 'k002.json.gz']);
    }));

  it('hands each unit to exactly one of several workers claiming at once', () =>
    withLedger(async (ledger, store) => {
      await ledger.register(units(60));
      const others = [await store.open(), await store.open(), await store.open()];
      try {
        const claimers = [ledger, ...others].map(async (l, w) => {
          const got: string[] = [];
          for (;;) {
            const batch = await l.claim(BUCKET, `w${w}`, 60, 2);
            if (batch.length === 0) return got;
            got.push(...batch.map((u) => u.key));
          }
        });
        const all = (await Promise.all(claimers)).flat();
        expect(all).toHaveLength(60);
        expect(new Set(all).size).toBe(60);
      } finally {
        for (const o of others) await o.close();
      }
    }));
}
