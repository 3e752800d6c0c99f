import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RowValue } from '../../../src/core/rows/table-spec.js';
import { COWRIE_EVENTS_TABLE } from '../../../src/profiles/cowrie/schema.js';
import { mapCowrieEvent } from '../../../src/profiles/cowrie/map.js';

/** The digest coreutils' `sha256sum` prints for `text` (UTF-8). */
function sha256sum(text: string): string {
  const r = spawnSync('sha256sum', [], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
  return r.stdout.split(' ')[0] ?? '';
}

/** The one row `mapCowrieEvent` makes of `event`, by column name. */
function rowOf(event: unknown): Record<string, RowValue> {
  const rows: (readonly RowValue[])[] = [];
  mapCowrieEvent(event, { row: (_table, values) => rows.push(values), warn: () => undefined });
  expect(rows).toHaveLength(1);
  return Object.fromEntries(COWRIE_EVENTS_TABLE.columns.map((c, i) => [c.name, rows[0]?.[i] ?? null]));
}

describe('mapCowrieEvent', () => {
  // Databases already written dedupe on this key: it must stay the first 32 hex of the SHA-256 of the
  // event as stored in raw_json, whatever computes it.
  it('keys each event by the first 32 hex of the sha256 of its raw_json, for ASCII and non-ASCII text', () => {
    const events = [
      { eventid: 'cowrie.command.input', input: 'uname -a', session: 'a1b2c3d4e5f6', timestamp: '2025-01-01T00:00:00.000000Z' },
      { eventid: 'cowrie.login.failed', username: 'root', password: 'Passwört ✓ 😀', session: 'a1b2c3d4e5f6', message: 'login attempt [root/Passwört ✓ 😀] failed' },
      { eventid: 'cowrie.session.closed', duration: 12.5, session: '0f0f0f0f0f0f' },
    ];
    for (const event of events) {
      const row = rowOf(event);
      expect(typeof row.raw_json).toBe('string');
      expect(row.event_key).toBe(sha256sum(row.raw_json as string).slice(0, 32));
    }
  });
});
