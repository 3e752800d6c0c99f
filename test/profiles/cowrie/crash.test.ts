import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSluice, SHARED_DATA, startSluice, tempDir } from '../../helpers/cli.js';
import { mulberry32 } from '../../helpers/prng.js';

const SYNTHETIC = join(SHARED_DATA, 'cowrie', 'cowrieprocessor-synthetic');
const present = existsSync(SYNTHETIC);
const inCi = process.env.CI === 'true';
const KILLS = 20;
/**
 * Events taken from the start of each synthetic day: three gzipped files still (a run resumes across
 * files), a sixth of the 150,000 events, so each of the 21 runs costs a sixth. Where the kills land
 * is what is tested; the batch size below keeps about 50 commits per whole run for them to land between.
 */
const PER_DAY = 8_500;
const BATCH_ROWS = '500';
/** Kills that must land mid-run (SIGKILLed with part of the logs committed) for the test to count. */
const MID_RUN_AT_LEAST = 3;

/** Every table the profile keeps, as one hash: events in id order, sessions, commands, downloads, report counts. */
function tablesHash(db: string): { hash: string; events: number; sessions: number } {
  const d = new Database(db, { readonly: true });
  try {
    const h = createHash('sha256');
    for (const sql of [
      'SELECT * FROM cowrie_events ORDER BY id',
      'SELECT * FROM session_metrics ORDER BY session_id',
      'SELECT * FROM session_commands ORDER BY event_id',
      'SELECT * FROM session_downloads ORDER BY event_id',
      // The report counts, kept in the same transactions (migration 6).
      'SELECT * FROM command_counts ORDER BY input_key',
      'SELECT * FROM credential_counts ORDER BY username_key, password_key',
    ]) {
      for (const row of d.prepare(sql).raw().iterate()) h.update(JSON.stringify(row));
    }
    const events = (d.prepare('SELECT count(*) AS n FROM cowrie_events').get() as { n: number }).n;
    const sessions = (d.prepare('SELECT count(*) AS n FROM session_metrics').get() as { n: number }).n;
    return { hash: h.digest('hex'), events, sessions };
  } finally {
    d.close();
  }
}

function committedEvents(db: string): number {
  if (!existsSync(db)) return 0;
  const d = new Database(db, { readonly: true });
  try {
    const t = d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'cowrie_events'").get();
    return t ? (d.prepare('SELECT count(*) AS n FROM cowrie_events').get() as { n: number }).n : 0;
  } finally {
    d.close();
  }
}

/** When to SIGKILL a run: `afterMs` from its start, or `thenMs` after `db` holds more than `committedOver` events. */
type KillAt = { afterMs: number } | { db: string; committedOver: number; thenMs: number };

function runUntilKilled(args: readonly string[], kill: KillAt): Promise<'killed' | 'finished'> {
  const child = startSluice(args);
  child.stdout.resume();
  child.stderr.resume();
  let timer: NodeJS.Timeout;
  if ('afterMs' in kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
  else {
    const poll = (): void => {
      if (committedEvents(kill.db) > kill.committedOver) timer = setTimeout(() => child.kill('SIGKILL'), kill.thenMs);
      else timer = setTimeout(poll, 20);
    };
    timer = setTimeout(poll, 20);
  }
  return new Promise((resolve) =>
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    }),
  );
}

describe.skipIf(!present && !inCi)(`cowrie ingest under SIGKILL${present ? '' : ` (skipped: ${SYNTHETIC} is absent)`}`, () => {
  it(`ends, after ${KILLS} kills and a final run, with the same events, sessions and commands as a clean run`, async () => {
    expect(present, `${SYNTHETIC} is missing; CI must have the shared sample data`).toBe(true);
    const days = readdirSync(SYNTHETIC).filter((f) => f.endsWith('.json.gz')).sort();
    expect(days).toHaveLength(3);
    const dir = tempDir();
    const files = days.map((day) => {
      const lines = gunzipSync(readFileSync(join(SYNTHETIC, day))).toString('utf8').split('\n').slice(0, PER_DAY);
      const path = join(dir, basename(day));
      writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
      return path;
    });
    const total = days.length * PER_DAY;
    const clean = join(dir, 'clean.db');
    const started = performance.now();
    expect(runSluice(['ingest', ...files, '--profile', 'cowrie', '--db', clean, '--no-progress']).code).toBe(0);
    const cleanMs = performance.now() - started;
    const expected = tablesHash(clean);

    const crashed = join(dir, 'crashed.db');
    const rnd = mulberry32(20_260_418);
    const outcomes: string[] = [];
    let midRun = 0;
    let completedRounds = 0;
    for (let i = 0; i < KILLS; i++) {
      // Kills spread over what is left of the run (start-up included), small batches for many commits.
      const before = committedEvents(crashed);
      const left = 1 - before / total;
      const delay = 120 + rnd() * cleanMs * Math.max(0.05, left);
      // Every other kill waits for the run's first commit of its own and lands a random moment after
      // it: mid-run however slow or fast the machine is right now. The others are aimed by the clock.
      const kill: KillAt = i % 2 === 1 ? { db: crashed, committedOver: before, thenMs: Math.round(rnd() * 150) } : { afterMs: delay };
      const outcome = await runUntilKilled(['ingest', ...files, '--profile', 'cowrie', '--db', crashed, '--batch-size', BATCH_ROWS, '--no-progress'], kill);
      outcomes.push(outcome);
      const committed = committedEvents(crashed);
      // Killed after this run committed some of its own and before it committed the last.
      if (outcome === 'killed' && committed > before && committed < total) midRun += 1;
      if (committed === total) {
        // A run got to the end before its kill (a fast moment of the machine): that database must
        // already equal the clean one; the kills left start over on a new one, so they still land.
        expect(tablesHash(crashed), `the database completed by run ${i + 1}`).toEqual(expected);
        completedRounds += 1;
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${crashed}${suffix}`, { force: true });
      }
    }
    // The test means something only if kills hit runs between their first and last commit.
    expect(midRun, 'kills that landed mid-run, with part of the logs committed').toBeGreaterThanOrEqual(MID_RUN_AT_LEAST);
    const final = runSluice(['ingest', ...files, '--profile', 'cowrie', '--db', crashed, '--no-progress']);
    expect(final.code, final.stderr).toBe(0);
    console.log(`cowrie crash test: ${outcomes.filter((o) => o === 'killed').length} of ${KILLS} runs killed, ${midRun} between their first and last commit, ${completedRounds} database(s) completed under kills and begun again`);
    expect(tablesHash(crashed)).toEqual(expected);
    expect(expected.events).toBe(total);
  }, 180_000);
});
