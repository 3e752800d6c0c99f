import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { FollowerProcess, killLeftovers, readDb, waitFor, waitForTailing } from '../../helpers/follow-harness.js';

afterEach(() => killLeftovers());

function cowrieLine(session: string, n: number): string {
  return `${JSON.stringify({
    eventid: 'cowrie.command.input',
    session,
    input: `echo ${n}`,
    src_ip: '198.51.100.7',
    timestamp: new Date(Date.UTC(2026, 3, 18, 12, 0, n)).toISOString(),
  })}\n`;
}

function counts(db: string): { events: number; commands: number } | undefined {
  return readDb(db, (d) => ({
    events: (d.prepare('SELECT count(*) AS n FROM cowrie_events').get() as { n: number }).n,
    commands: (d.prepare('SELECT coalesce(sum(command_count), 0) AS n FROM session_metrics').get() as { n: number }).n,
  }));
}

describe('sluice follow --profile cowrie across Cowrie rotation', () => {
  it('keeps reading the renamed file and the new live file: every event once, metrics counted once', async () => {
    const dir = tempDir();
    const live = join(dir, 'cowrie.json');
    const db = join(dir, 'honeypot.db');
    const status = join(dir, 'status.json');
    writeFileSync(live, '');
    const f = new FollowerProcess([join(dir, 'cowrie.json*'), '--profile', 'cowrie', '--db', db, '--status-file', status, '--poll-ms', '100', '--idle-close-sec', '1', '--no-progress']);
    await waitForTailing(status, f);
    for (let i = 0; i < 20; i++) appendFileSync(live, cowrieLine('s1', i));
    await waitFor(() => counts(db)?.events === 20, { what: 'the first 20 events' });

    // Cowrie's rotation: the live file is renamed to a dated name and a new one is created; the old
    // handle may still get a few late lines.
    const rotated = join(dir, 'cowrie.json.2026-04-18');
    renameSync(live, rotated);
    appendFileSync(rotated, cowrieLine('s1', 20));
    writeFileSync(live, '');
    for (let i = 0; i < 15; i++) appendFileSync(live, cowrieLine('s2', i));

    await waitFor(() => counts(db)?.events === 36, { what: '36 events', timeoutMs: 20_000 });
    const end = await f.stop('SIGTERM');
    expect(end).toEqual({ code: 0, signal: null });
    expect(counts(db)).toEqual({ events: 36, commands: 36 });
  }, 60_000);
});
