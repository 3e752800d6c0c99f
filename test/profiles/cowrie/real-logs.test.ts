import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSluice, SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { runSluiceWith } from '../../helpers/spool-cli.js';
import { cowrieProfile } from '../../../src/profiles/cowrie/index.js';
import { loadThroughSink } from './load-through-sink.js';
import { sessionTables } from './session-tables.js';

const COWRIE = join(SHARED_DATA, 'cowrie');
const present = existsSync(COWRIE);
const inCi = process.env.CI === 'true';

/** Every real Cowrie file of the shared data (daily logs, the modern log, the synthetic days). */
function realFiles(): string[] {
  return readdirSync(COWRIE, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(COWRIE, d.name)).map((f) => join(COWRIE, d.name, f)))
    .filter((f) => /cowrie\.json|\.json(\.gz)?$/.test(basename(f)))
    .sort();
}

/** A plain, independent scan: the events of a file as JSON objects. */
function events(file: string): Array<Record<string, unknown>> {
  const bytes = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(!present && !inCi)(`cowrie profile on the real logs${present ? '' : ` (skipped: ${COWRIE} is absent)`}`, () => {
  it('finds the sample files', () => {
    expect(present, `${COWRIE} is missing; CI must have the shared sample data`).toBe(true);
    expect(realFiles().length).toBeGreaterThan(3);
  });

  // Each file in its own database, so several run at once: while one ingest starts up, another's
  // results are checked.
  it.concurrent.each(present ? realFiles() : [])('%s: sessions, command counts and durations match a plain scan', async (file) => {
    const dir = tempDir();
    const db = join(dir, 'cowrie.db');
    const r = await runSluiceWith(['ingest', file, '--profile', 'cowrie', '--db', db, '--json', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const scan = events(file);
    const sessions = new Set(scan.map((e) => e.session).filter((s): s is string => typeof s === 'string'));
    const commands = new Map<string, number>();
    for (const e of scan) {
      if (e.eventid === 'cowrie.command.input') commands.set(String(e.session), (commands.get(String(e.session)) ?? 0) + 1);
    }
    const closed = new Map(scan.filter((e) => e.eventid === 'cowrie.session.closed').map((e) => [String(e.session), e.duration]));

    const d = new Database(db, { readonly: true });
    try {
      expect((d.prepare('SELECT count(*) AS n FROM cowrie_events').get() as { n: number }).n).toBe(new Set(scan.map((e) => JSON.stringify(e))).size);
      const metrics = d.prepare('SELECT session_id, command_count, closed_duration_sec, duration_sec FROM session_summary').all() as Array<{
        session_id: string;
        command_count: number;
        closed_duration_sec: number | null;
        duration_sec: number | null;
      }>;
      expect(metrics.length).toBe(sessions.size);
      for (const m of metrics) {
        expect(m.command_count, m.session_id).toBe(commands.get(m.session_id) ?? 0);
        const raw = closed.get(m.session_id);
        if (typeof raw === 'number') expect(m.closed_duration_sec).toBeCloseTo(raw, 6);
        else if (typeof raw === 'string') expect(m.closed_duration_sec).toBeCloseTo(Number(raw), 6);
        else expect(m.closed_duration_sec).toBeNull();
        expect(m.duration_sec === null || m.duration_sec >= 0).toBe(true);
      }
      const commandRows = (d.prepare('SELECT count(*) AS n FROM session_commands').get() as { n: number }).n;
      expect(commandRows).toBe([...commands.values()].reduce((a, b) => a + b, 0));
    } finally {
      d.close();
    }
  });

  // The CLI's parser thread folds each chunk's sessions and sends them to the writer with the rows;
  // the oracle keeps the same tables by the SQL over each batch's rows (no summaries, as from NATS).
  // Fifty events come again in the middle, so a chunk there has duplicates among new events: the
  // CLI keeps that chunk by the SQL, between chunks kept from their summaries.
  it.concurrent.each(present ? realFiles().filter((f) => /bilal05tariq|day01/.test(f)) : [])(
    '%s, some events twice: the session tables kept from the parser thread\'s summaries are those the SQL keeps, rowids and types included',
    async (file) => {
      const dir = tempDir();
      const [input, db, oracle] = [join(dir, 'cowrie.json'), join(dir, 'cli.db'), join(dir, 'statements.db')];
      const scan = events(file);
      const half = Math.floor(scan.length / 2);
      const twice = [...scan.slice(0, half), ...scan.slice(0, 50), ...scan.slice(half)];
      writeFileSync(input, twice.map((e) => `${JSON.stringify(e)}\n`).join(''));
      const r = await runSluiceWith(['ingest', input, '--profile', 'cowrie', '--db', db, '--batch-size', '500', '--no-progress']);
      expect(r.code, r.stderr).toBe(0);
      const ways = await loadThroughSink(oracle, cowrieProfile, twice, 500, { summaries: false });
      expect(ways.summary).toBe(0);
      expect(sessionTables(db)).toEqual(sessionTables(oracle));
    },
  );

  it('adds nothing when the same logs are ingested again, even under another file name', () => {
    const dir = tempDir();
    const db = join(dir, 'cowrie.db');
    const file = realFiles().find((f) => f.includes('bilal05tariq')) ?? realFiles()[0] ?? '';
    expect(runSluice(['ingest', file, '--profile', 'cowrie', '--db', db, '--no-progress']).code).toBe(0);
    const snapshot = (): string => {
      const d = new Database(db, { readonly: true });
      try {
        return JSON.stringify([
          d.prepare('SELECT count(*) AS n FROM cowrie_events').get(),
          d.prepare('SELECT * FROM session_metrics ORDER BY session_id').all(),
          d.prepare('SELECT count(*) AS n FROM session_commands').get(),
        ]);
      } finally {
        d.close();
      }
    };
    const before = snapshot();
    // Cowrie's rotation renames the live file to a dated name: same content, new name.
    const rotated = join(dir, 'cowrie.json.2026-04-18');
    copyFileSync(file, rotated);
    const again = runSluice(['ingest', rotated, '--profile', 'cowrie', '--db', db, '--json', '--no-progress']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ inserted: 0 });
    expect(snapshot()).toBe(before);
  });
});
