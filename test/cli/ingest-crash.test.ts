import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startSluice, tempDir } from '../helpers/cli.js';
import { loadBridgeGenerator } from '../helpers/crash-generator.js';

/**
 * Big enough for ~70 commits at BATCH_ROWS, and for a parser thread (over 1 MiB), small enough to
 * stay well inside the time budget. What is tested is where kills land between commits, not the
 * file's size: fewer, smaller batches keep the number of commits (and of kills) while each run costs
 * a sixth of what 350,000 lines did.
 */
const EVENTS = 60_000;
/** Override with SLUICE_CRASH_SEED=N to explore other files and kill schedules. */
const SEED = Number(process.env.SLUICE_CRASH_SEED ?? 20_250_829);
/** Small batches: many commits, so kills land before, during and after them. */
const BATCH_ROWS = 850;
const KILLS = 24;
/** The last few kills may be aimed at (or past) the end of the run. */
const LATE_KILLS_FROM = KILLS - 6;
const EVENT_COLUMNS = 'id, seq, ts_ms, type, msg, plate, t_rel_ms, session_id, pid, schema, data_json';

interface RunEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stdout: string;
  stderr: string;
}

/**
 * When to SIGKILL a run: after `afterMs`, or (mid-file kills) once `db` holds `rows` committed rows and
 * then `thenMs` more, so the kill lands mid-file however fast or slow the machine is right now.
 */
type KillAt = { afterMs: number } | { db: string; rows: number; thenMs: number };

/** Runs `sluice ARGS` as a real process; with `kill`, SIGKILLs it then unless it has exited. */
function runProcess(args: readonly string[], kill?: KillAt): Promise<RunEnd> {
  const started = performance.now();
  const child = startSluice(args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let ms = 0;
    let timer: NodeJS.Timeout | undefined;
    if (kill && 'afterMs' in kill) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
    else if (kill) {
      const poll = (): void => {
        if (committedRows(kill.db) >= kill.rows) timer = setTimeout(() => child.kill('SIGKILL'), kill.thenMs);
        else timer = setTimeout(poll, 20);
      };
      timer = setTimeout(poll, 20);
    }
    child.on('error', reject);
    child.on('exit', () => (ms = performance.now() - started));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms, stdout, stderr });
    });
  });
}

/**
 * Committed rows of a database between runs; read-only, so it does not checkpoint B's WAL. A WAL
 * whose writer was SIGKILLed needs its index rebuilt, which a read-only connection may not do
 * (SQLITE_READONLY_RECOVERY): then a read-write one reads it, as the next run would.
 */
function committedRows(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    return countEvents(new Database(db, { readonly: true, fileMustExist: true }));
  } catch (err) {
    if (!String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_READONLY')) throw err;
    return countEvents(new Database(db, { fileMustExist: true }));
  }
}

function countEvents(d: Database.Database): number {
  try {
    const table = d.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    if (!table) return 0;
    return (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

function lines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
}

interface EventsComparison {
  rowsA: number;
  rowsB: number;
  sha256A: string;
  sha256B: string;
  /** The first row (in id order) where the databases differ, or undefined. */
  firstDiff: string | undefined;
}

/** Walks both `events` tables in id order side by side, hashing every row. */
function compareEvents(dbA: string, dbB: string): EventsComparison {
  const a = new Database(dbA, { readonly: true, fileMustExist: true });
  const b = new Database(dbB, { readonly: true, fileMustExist: true });
  try {
    const sql = `SELECT ${EVENT_COLUMNS} FROM events ORDER BY id`;
    const ia = a.prepare<[], unknown[]>(sql).raw().iterate();
    const ib = b.prepare<[], unknown[]>(sql).raw().iterate();
    const hashA = createHash('sha256');
    const hashB = createHash('sha256');
    let rowsA = 0;
    let rowsB = 0;
    let firstDiff: string | undefined;
    for (;;) {
      const ra = ia.next();
      const rb = ib.next();
      if (ra.done && rb.done) break;
      const ta = ra.done ? undefined : JSON.stringify(ra.value);
      const tb = rb.done ? undefined : JSON.stringify(rb.value);
      if (ta !== undefined) {
        rowsA += 1;
        hashA.update(`${ta}\n`);
      }
      if (tb !== undefined) {
        rowsB += 1;
        hashB.update(`${tb}\n`);
      }
      if (firstDiff === undefined && ta !== tb) {
        firstDiff = `row #${Math.max(rowsA, rowsB)} in id order (${EVENT_COLUMNS}):\n  A: ${ta ?? '(no more rows)'}\n  B: ${tb ?? '(no more rows)'}`;
      }
    }
    return { rowsA, rowsB, sha256A: hashA.digest('hex'), sha256B: hashB.digest('hex'), firstDiff };
  } finally {
    a.close();
    b.close();
  }
}

interface CursorRow {
  key: string;
  unit: string;
  identity: string;
  size: number;
  offset: number;
  line: number;
  done: number;
}

function cursors(db: string): CursorRow[] {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return d.prepare('SELECT key, unit, identity, size, offset, line, done FROM sluice_cursors ORDER BY key').all() as CursorRow[];
  } finally {
    d.close();
  }
}

/** The first line where two dead-letter files differ, and lines B holds more often than A. */
function compareDeadLetters(a: string[], b: string[]): { firstDiff: string | undefined; extraInB: string[] } {
  let firstDiff: string | undefined;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      firstDiff = `line ${i + 1}:\n  A: ${a[i] ?? '(end of file)'}\n  B: ${b[i] ?? '(end of file)'}`;
      break;
    }
  }
  const left = new Map<string, number>();
  for (const l of a) left.set(l, (left.get(l) ?? 0) + 1);
  const extraInB: string[] = [];
  for (const l of b) {
    const n = left.get(l) ?? 0;
    if (n > 0) left.set(l, n - 1);
    else extraInB.push(l);
  }
  return { firstDiff, extraInB };
}

/** Kills that must land mid-run (SIGKILLed with part of the file committed) for the test to count. */
const MID_RUN_AT_LEAST = 5;

type KillKind = 'first-batch' | 'boot' | 'mid' | 'late' | 'already-complete';

interface KillRecord {
  run: number;
  kind: KillKind;
  delayMs: number;
  /** When the kill was aimed: `1234 ms`, or `rows ≥ 120000 +40 ms`. */
  aim: string;
  /** `killed` when SIGKILL ended it; otherwise the exit code it finished with by itself. */
  outcome: string;
  /** Rows committed before this run started. */
  rowsBefore: number;
  rowsAfter: number;
  deadLettersOnDisk: number;
}

describe('sluice ingest under SIGKILL', () => {
  it(
    `ends, after ${KILLS} kills at random moments and a final run, with the same rows and dead letters as a clean run`,
    async () => {
      const generator = await loadBridgeGenerator();
      const dir = tempDir('sluice-crash-');
      const file = join(dir, 'bridge.ndjson');
      const generated = await generator.generateBridgeEvents({ count: EVENTS, out: file, seed: SEED, badEvery: 700, dupEvery: 350 });
      expect(generated.bad).toBeGreaterThan(0);
      expect(generated.dups).toBeGreaterThan(0);

      const dbA = join(dir, 'a.db');
      const dbB = join(dir, 'b.db');
      const deadA = join(dir, 'a.dead-letter.ndjson');
      const deadB = join(dir, 'b.dead-letter.ndjson');
      const ingestArgs = (db: string): string[] =>
        ['ingest', file, '--db', db, '--batch-size', String(BATCH_ROWS), '--no-progress'];

      // Clean run into A: the reference, and its wall time scales the kill delays.
      const clean = await runProcess([...ingestArgs(dbA), '--json']);
      expect(clean.code, clean.stderr).toBe(3);
      expect(JSON.parse(clean.stdout.trim())).toMatchObject({
        status: 'done',
        inserted: generated.good,
        duplicates: generated.dups,
        bad: generated.bad,
      });
      const totalRows = committedRows(dbA);
      // Start-up as a resumed run pays it: process, database, parser thread, a first tiny commit.
      const probeFile = join(dir, 'probe.ndjson');
      await generator.generateBridgeEvents({ count: 500, out: probeFile, seed: SEED, badEvery: 0, dupEvery: 0 });
      const probe = await runProcess(['ingest', probeFile, '--db', join(dir, 'probe.db'), '--no-progress']);
      expect(probe.code, probe.stderr).toBe(0);
      const bootMs = probe.ms;
      const workMs = Math.max(100, clean.ms - bootMs);
      const firstBatchMs = (workMs * BATCH_ROWS) / EVENTS;

      const rnd = generator.mulberry32(SEED ^ 0x5eed);
      const kills: KillRecord[] = [];
      let completedRounds = 0;
      for (let run = 0; run < KILLS; run++) {
        const rowsBefore = committedRows(dbB);
        const left = workMs * (1 - rowsBefore / totalRows);
        let kind: KillKind;
        let delayMs: number;
        const u = rnd();
        if (run === 0) {
          // Around the end of start-up, before the first batch of BATCH_ROWS rows can have committed.
          kind = 'first-batch';
          delayMs = bootMs * 0.8 + rnd() * (bootMs * 0.2 + firstBatchMs);
        } else if (u < 0.15) {
          // During start-up: opening the database, truncating the dead-letter tail, planning.
          kind = 'boot';
          delayMs = rnd() * bootMs;
        } else if (run >= LATE_KILLS_FROM && u < 0.4) {
          // Near or past the end: the final commit, closing, or after a clean exit.
          kind = 'late';
          delayMs = bootMs + left * (0.8 + rnd() * 0.6);
        } else {
          // Somewhere in the rest of the file; on average each kill gets an equal share of it. Aimed
          // by rows committed, not by time: a machine busy with other test files runs at any pace.
          kind = 'mid';
          delayMs = bootMs + (rnd() * 2 * left) / (KILLS - run);
        }
        // Once every row is in, what is left to hit is start-up, the skip and the exit.
        if (run > 0 && rowsBefore === totalRows) kind = 'already-complete';
        delayMs = Math.round(delayMs);
        const share = (totalRows - rowsBefore) / (KILLS - run);
        const killAt: KillAt =
          kind === 'mid'
            ? { db: dbB, rows: Math.min(totalRows - 1, rowsBefore + 1 + Math.floor(rnd() * 2 * share)), thenMs: Math.round(rnd() * firstBatchMs) }
            : { afterMs: delayMs };
        const end = await runProcess(ingestArgs(dbB), killAt);
        const killed = end.signal === 'SIGKILL';
        if (!killed) expect([0, 3], `run ${run} failed by itself:\n${end.stderr}`).toContain(end.code);
        const rowsAfter = committedRows(dbB);
        kills.push({
          run,
          kind,
          delayMs,
          aim: 'afterMs' in killAt ? `${killAt.afterMs} ms` : `rows ≥ ${killAt.rows} +${killAt.thenMs} ms`,
          outcome: killed ? 'killed' : `exited ${String(end.code)}`,
          rowsBefore,
          rowsAfter,
          deadLettersOnDisk: lines(deadB).length,
        });
        if (rowsAfter === totalRows && rowsBefore < totalRows && run < LATE_KILLS_FROM - 1) {
          // A run finished the file before the late kills (a fast moment of the machine, or a kill
          // aimed by the clock that came too late): B must already equal A; the kills left start over
          // on a new B, so they still land between commits.
          const done = compareEvents(dbA, dbB);
          expect(done.firstDiff, `events of B completed by run ${run}; first difference at ${done.firstDiff}`).toBeUndefined();
          expect(done.sha256B).toBe(done.sha256A);
          // A run killed after its last commit may leave a dead-letter tail past its mark for the next
          // run to cut; one that exited by itself has none.
          if (!killed) expect(compareDeadLetters(lines(deadA), lines(deadB)).firstDiff, `dead letters of B completed by run ${run}`).toBeUndefined();
          completedRounds += 1;
          for (const path of [dbB, `${dbB}-wal`, `${dbB}-shm`, deadB]) rmSync(path, { force: true });
        }
      }

      const last = await runProcess([...ingestArgs(dbB), '--json']);
      expect([0, 3], last.stderr).toContain(last.code);

      const midRun = kills.filter((k) => k.outcome === 'killed').length;
      console.log(
        `crash test: ${EVENTS} lines (${generated.good} good, ${generated.dups} dups, ${generated.bad} bad), ` +
          `batch ${BATCH_ROWS}; clean run ${Math.round(clean.ms)} ms, start-up ${Math.round(bootMs)} ms\n` +
          `kills: ${midRun} landed mid-run (SIGKILLed before exiting by itself), ` +
          `${KILLS - midRun} after the run had finished by itself; ${completedRounds} database(s) completed before the late kills and begun again\n` +
          kills
            .map((k) => `  #${k.run} ${k.kind} at ${k.aim}: ${k.outcome}, ${k.rowsAfter} rows, ${k.deadLettersOnDisk} dead-letter lines on disk`)
            .join('\n'),
      );

      // The test means something only if kills hit a run between its first and its last commit.
      const betweenCommits = kills.filter((k) => k.outcome === 'killed' && k.rowsAfter > k.rowsBefore && k.rowsAfter < totalRows).length;
      console.log(`crash test: ${betweenCommits} kills landed between a run's first and last commit`);
      expect(betweenCommits, 'kills that landed mid-run, with part of the file committed').toBeGreaterThanOrEqual(MID_RUN_AT_LEAST);

      const events = compareEvents(dbA, dbB);
      expect(events.firstDiff, `events differ after the kills above; first difference at ${events.firstDiff}`).toBeUndefined();
      expect(events.rowsB).toBe(events.rowsA);
      expect(events.sha256B).toBe(events.sha256A);

      const dlA = lines(deadA);
      const dlB = lines(deadB);
      expect(dlA).toHaveLength(generated.bad);
      const dl = compareDeadLetters(dlA, dlB);
      expect(
        dl.firstDiff,
        `dead letters of B differ from A (${dlB.length} vs ${dlA.length} lines); first difference at ${dl.firstDiff}\n` +
          `lines only in B (${dl.extraInB.length}):\n${dl.extraInB.slice(0, 5).join('\n')}`,
      ).toBeUndefined();

      // Both end with the same file cursor, and a dead-letter mark equal to the file's length.
      const curA = cursors(dbA);
      const curB = cursors(dbB);
      const fileCursor = (cs: CursorRow[]): Omit<CursorRow, 'unit' | 'identity'>[] =>
        cs.filter((c) => !c.key.startsWith('dead-letter:')).map(({ key, size, offset, line, done }) => ({ key, size, offset, line, done }));
      expect(fileCursor(curB)).toEqual(fileCursor(curA));
      expect(fileCursor(curA)).toHaveLength(1);
      for (const [cs, path] of [[curA, deadA], [curB, deadB]] as const) {
        const mark = cs.find((c) => c.key.startsWith('dead-letter:'));
        expect(mark?.offset, path).toBe(readFileSync(path).length);
      }
    },
    120_000,
  );
});
