import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { mulberry32 } from '../helpers/prng.js';
import {
  deadLetters,
  eventCount,
  fileCursors,
  FollowerProcess,
  followPaths,
  keysInFiles,
  killLeftovers,
  readDb,
  startWriter,
  waitFor,
  waitForTailing,
  type WriterStep,
} from '../helpers/follow-harness.js';

/**
 * `sluice follow` under SIGKILL: a real writer appends 120,000 lines at varying speed (bursts,
 * steady runs, pauses, lines in two halves) across two rollovers, with late lines in yesterday's file,
 * while the follower is SIGKILLed at seeded random moments and restarted each time. At the end the
 * table must hold every line the writer wrote, exactly once, and nothing may be dead-lettered.
 */

afterEach(() => killLeftovers());

/**
 * Enough that the writer is still writing through most of the kills (about as long as MIN_KILLS
 * followers live); 200,000 lines took twice as long, most of it the writer and a last follower catching up.
 */
const TOTAL = 120_000;
/** Override with SLUICE_FOLLOW_CRASH_SEED=N to explore other write and kill schedules. */
const SEED = Number(process.env.SLUICE_FOLLOW_CRASH_SEED ?? 20_240_101);
const MIN_KILLS = 20;
/** Kills that must land while the writer still appends (12-13 of them did with 120,000 lines under load). */
const MIN_KILLS_WHILE_WRITING = 5;
const SESSION = 'crash';
const DAYS = ['20240101', '20240102', '20240103'];
/** Where each day's file begins, in lines written. */
const DAY_STARTS = [0, 43_200, 84_000];

interface WriterSchedule {
  plan: WriterStep[];
  /** Rough writing time, for the log. */
  estimatedMs: number;
  halves: number;
  lateLines: number;
}

/**
 * The writer's plan: seq 0…TOTAL-1 of one session, day files switching at DAY_STARTS. Halves and
 * pauses only happen in the newest file (a half-written line in an older file that goes idle is
 * dead-lettered by design). After each rollover, yesterday's file gets late lines twice: at once,
 * and again after more than --idle-close-sec, so it has to be opened again.
 */
function writerSchedule(dir: string, rnd: () => number): WriterSchedule {
  const file = (d: number): string => join(dir, `bridge_${DAYS[d] ?? ''}.ndjson`);
  const plan: WriterStep[] = [];
  let seq = 0;
  let estimatedMs = 0;
  let halves = 0;
  let lateLines = 0;
  const dayOf = (s: number): number => DAY_STARTS.filter((start) => s >= start).length - 1;
  const lines = (d: number, count: number, rate?: number): void => {
    plan.push({ op: 'lines', file: file(d), session: SESSION, from: seq, count, ...(rate ? { rate } : {}) });
    seq += count;
    if (rate) estimatedMs += (count / rate) * 1000;
  };
  let day = 0;
  let sinceRollover = 0;
  let lateDone = 2;
  while (seq < TOTAL) {
    const d = dayOf(seq);
    if (d !== day) {
      day = d;
      sinceRollover = 0;
      lateDone = 0;
    }
    const left = Math.min(TOTAL, DAY_STARTS[day + 1] ?? TOTAL) - seq;
    // Late lines for yesterday: right after the rollover, then once it has been idle > 1 s.
    if (day > 0 && lateDone === 0 && sinceRollover > 0) {
      const n = Math.min(left, 200 + Math.floor(rnd() * 600));
      lines(day - 1, n, 4_000);
      lateLines += n;
      lateDone = 1;
      continue;
    }
    if (day > 0 && lateDone === 1 && sinceRollover > 1_600) {
      const n = Math.min(left, 300 + Math.floor(rnd() * 1_500));
      lines(day - 1, n);
      lateLines += n;
      lateDone = 2;
      continue;
    }
    const before = estimatedMs;
    const u = rnd();
    if (u < 0.25) {
      lines(day, Math.min(left, 2_000 + Math.floor(rnd() * 10_000)));
    } else if (u < 0.65) {
      lines(day, Math.min(left, 500 + Math.floor(rnd() * 3_000)), 3_000 + Math.floor(rnd() * 20_000));
    } else if (u < 0.85) {
      const ms = 100 + Math.floor(rnd() * 700);
      plan.push({ op: 'sleep', ms });
      estimatedMs += ms;
    } else {
      const pauseMs = 50 + Math.floor(rnd() * 900);
      plan.push({ op: 'half', file: file(day), session: SESSION, seq, pauseMs, at: 0.05 + rnd() * 0.9 });
      seq += 1;
      halves += 1;
      estimatedMs += pauseMs;
    }
    sinceRollover += estimatedMs - before + 5;
  }
  return { plan, estimatedMs, halves, lateLines };
}

interface KillRecord {
  run: number;
  delayMs: number;
  rowsAfter: number;
  writerDone: boolean;
}

describe('sluice follow under SIGKILL', () => {
  it(
    `holds every one of ${TOTAL} lines exactly once after ≥ ${MIN_KILLS} kills while a writer appends across rollovers`,
    async () => {
      const started = performance.now();
      const dir = tempDir('sluice-follow-crash-');
      const paths = followPaths(dir);
      const files = DAYS.map((d) => join(dir, `bridge_${d}.ndjson`));
      const rnd = mulberry32(SEED);
      const schedule = writerSchedule(dir, rnd);
      const args = [
        join(dir, 'bridge_{YYYYMMDD}.ndjson'),
        '--db', paths.db,
        '--poll-ms', '100',
        '--idle-close-sec', '1',
        '--batch-size', '2000',
        '--no-progress',
      ];

      const writer = startWriter(dir, schedule.plan);
      let writerDone = false;
      void writer.ended.then(() => (writerDone = true));

      const kills: KillRecord[] = [];
      for (let run = 0; !writerDone || kills.length < MIN_KILLS; run++) {
        // A third of the kills land during start-up (opening the database, the first scan).
        const delayMs = Math.round(rnd() < 0.3 ? 30 + rnd() * 400 : 400 + rnd() * 1_400);
        const f = new FollowerProcess(args);
        const ended = await Promise.race([f.ended, new Promise<undefined>((r) => setTimeout(() => r(undefined), delayMs))]);
        expect(ended, `follower run ${run} exited by itself before its kill:\n${f.stderr}`).toBeUndefined();
        const end = await f.stop('SIGKILL');
        expect(end.signal, f.stderr).toBe('SIGKILL');
        kills.push({ run, delayMs, rowsAfter: eventCount(paths.db), writerDone });
        if (performance.now() - started > 100_000) break; // keeps a hang from eating the suite
      }
      const written = await writer.finished();
      const writerMs = performance.now() - started;

      // A last follower catches up, then stops like a service.
      const last = new FollowerProcess([...args, '--status-file', paths.status]);
      // Until every row is in, or nothing has moved for 10 s (then the checks below say what is off).
      let seen = -1;
      let movedAt = Date.now();
      await waitFor(
        () => {
          const n = eventCount(paths.db);
          if (n !== seen) [seen, movedAt] = [n, Date.now()];
          return n >= TOTAL || Date.now() - movedAt > 10_000;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: () => `${TOTAL} rows (have ${seen})\n${last.stderr}` },
      );
      // Signal handlers are in place once it runs (a SIGTERM during start-up kills Node outright).
      // 60 s, not 20: once, at load 17-20 beside another crash-heavy file, 20 s were not enough.
      await waitForTailing(paths.status, last, 60_000);
      const end = await last.stop('SIGTERM');
      const totalMs = performance.now() - started;

      console.log(
        `follow crash test (seed ${SEED}): writer ${written} lines in ${Math.round(writerMs)} ms ` +
          `(plan ~${Math.round(schedule.estimatedMs)} ms of rates and pauses, ${schedule.halves} lines in two halves, ` +
          `${schedule.lateLines} late lines in yesterday's file); ${kills.length} SIGKILLs, ` +
          `${kills.filter((k) => !k.writerDone).length} while the writer was writing; total ${Math.round(totalMs)} ms\n` +
          kills.map((k) => `  #${k.run} killed after ${k.delayMs} ms: ${k.rowsAfter} rows${k.writerDone ? ' (writer done)' : ''}`).join('\n'),
      );

      expect(end, last.stderr).toEqual({ code: 0, signal: null });
      expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
      expect(kills.filter((k) => !k.writerDone).length, 'kills while the writer was writing').toBeGreaterThanOrEqual(MIN_KILLS_WHILE_WRITING);
      expect(written).toBe(TOTAL);

      // What the writer wrote: its three files, every line complete.
      for (const f of files) expect(readFileSync(f, 'utf8').endsWith('\n'), f).toBe(true);
      const fileKeys = keysInFiles(files);
      expect(fileKeys).toHaveLength(TOTAL);
      const wrote = new Set(fileKeys);
      expect(wrote.size).toBe(TOTAL);

      // What the table holds: the same set, each once, each with its content.
      const rows =
        readDb(paths.db, (d) =>
          d.prepare('SELECT session_id, seq, ts_ms, msg, plate, t_rel_ms, data_json FROM events').all(),
        ) ?? [];
      const have = new Map<string, number>();
      const wrong: string[] = [];
      for (const r of rows as { session_id: string; seq: number; ts_ms: number; msg: string; plate: string; t_rel_ms: number; data_json: string }[]) {
        const key = `${r.session_id}|${r.seq}`;
        have.set(key, (have.get(key) ?? 0) + 1);
        const ok =
          r.ts_ms === 1000 + r.seq * 10 &&
          r.t_rel_ms === r.seq * 10.5 &&
          r.plate === `P${r.seq % 7}` &&
          r.msg === (r.seq % 5 === 0 ? 'T0' : 'HIT') &&
          r.data_json === JSON.stringify({ amp: r.seq * 1.5 });
        if (!ok && wrong.length < 5) wrong.push(JSON.stringify(r));
      }
      const missing = [...wrote].filter((k) => !have.has(k));
      const extra = [...have.keys()].filter((k) => !wrote.has(k));
      const twice = [...have.entries()].filter(([, n]) => n > 1);
      expect(missing, `${missing.length} lines missing, e.g. ${missing.slice(0, 5).join(', ')}`).toEqual([]);
      expect(extra, `${extra.length} rows the writer never wrote`).toEqual([]);
      expect(twice).toEqual([]);
      expect(rows).toHaveLength(TOTAL);
      expect(wrong, 'rows whose content differs from their line').toEqual([]);

      const dl = deadLetters(paths.deadLetter);
      expect(dl, `dead letters: ${dl.slice(0, 3).map((d) => JSON.stringify(d)).join('\n')}`).toEqual([]);
      expect(existsSync(paths.deadLetter) ? statSync(paths.deadLetter).size : 0).toBe(0);

      // Every file's cursor ends at its end.
      const cursors = fileCursors(paths.db);
      for (const f of files) {
        const cursor = cursors.filter((k) => k.unit === f).sort((a, b) => b.offset - a.offset)[0];
        expect(cursor?.offset, `cursor of ${f}: ${JSON.stringify(cursors)}`).toBe(statSync(f).size);
      }
    },
    // Kills (about 100 s at worst) and the two waits for the last follower (60 s each).
    240_000,
  );
});
