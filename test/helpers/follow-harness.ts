/**
 * Real processes for the `sluice follow` tests: the follower (`bin/sluice.js follow`), the writer
 * (`follow-writer.mjs`, a separate process appending to dated files), and read-only looks at what the
 * follower committed, polled with timeouts rather than fixed sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startSluice } from './cli.js';

const WRITER_SCRIPT = fileURLToPath(new URL('./follow-writer.mjs', import.meta.url));

/** One step of a writer plan (see follow-writer.mjs). */
export type WriterStep =
  /** `count` bridge lines with seq `from`…, at `rate` lines/s (one write when no rate). */
  | { op: 'lines'; file: string; session: string; from: number; count: number; rate?: number }
  /** One line written in two halves `pauseMs` apart (cut at fraction `at`); `mark` is printed between. */
  | { op: 'half'; file: string; session: string; seq: number; pauseMs: number; at?: number; mark?: string }
  | { op: 'raw'; file: string; text: string }
  | { op: 'sleep'; ms: number }
  | { op: 'mkdir'; dir: string }
  | { op: 'create'; file: string }
  | { op: 'truncate'; file: string }
  /** Truncate and rewrite with `count` lines in one go (O_TRUNC then one write). */
  | { op: 'rewrite'; file: string; session: string; from: number; count: number }
  | { op: 'delete'; file: string }
  /** Creates (one line of `session`) and deletes `file` over and over for `ms`. */
  | { op: 'churn'; file: string; session: string; ms: number }
  | { op: 'mark'; name: string }
  /** Waits until the test sends `name` (see WriterProcess.send). */
  | { op: 'await'; name: string };

export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Children started by a test, so a failing test does not leave them running. */
const running = new Set<ChildProcess>();

/** SIGKILLs every follower and writer still running (call in afterEach). */
export function killLeftovers(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}

function track(child: ChildProcess): Promise<ProcessEnd> {
  running.add(child);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
}

/** The writer process running a plan. */
export class WriterProcess {
  private readonly child: ChildProcess;
  private stdout = '';
  private stderr = '';
  readonly ended: Promise<ProcessEnd>;

  constructor(plan: readonly WriterStep[], planFile: string) {
    writeFileSync(planFile, JSON.stringify(plan));
    this.child = spawn(process.execPath, [WRITER_SCRIPT, planFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.ended = track(this.child);
  }

  /** True once the writer printed `mark NAME`. */
  reached(name: string): boolean {
    return this.stdout.split('\n').includes(`mark ${name}`);
  }

  async waitMark(name: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.reached(name) || undefined, { timeoutMs, what: `writer mark ${name} (stderr: ${this.stderr})` });
  }

  /** Lets an `await NAME` step go on. */
  send(name: string): void {
    this.child.stdin?.write(`${name}\n`);
  }

  /** Waits for the plan to finish; returns how many complete lines it wrote. */
  async finished(): Promise<number> {
    const end = await this.ended;
    if (end.code !== 0) throw new Error(`writer failed (${end.code ?? end.signal}): ${this.stderr}`);
    const m = /written (\d+)/.exec(this.stdout);
    return Number(m?.[1] ?? -1);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** Starts the writer on a plan (the plan is saved next to the test's files). */
export function startWriter(dir: string, plan: readonly WriterStep[], name = 'writer'): WriterProcess {
  return new WriterProcess(plan, join(dir, `${name}-plan.json`));
}

/** A running `sluice follow`. */
export class FollowerProcess {
  private readonly child: ChildProcess;
  stderr = '';
  stdout = '';
  readonly ended: Promise<ProcessEnd>;

  constructor(args: readonly string[]) {
    this.child = startSluice(['follow', ...args]);
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.ended = track(this.child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(sig);
  }

  /** Sends `sig` and waits for the exit (SIGKILL after `timeoutMs`). */
  async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<ProcessEnd> {
    this.signal(sig);
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.ended;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Paths of one follow test: a folder with the logs, the database beside them. */
export interface FollowPaths {
  dir: string;
  db: string;
  deadLetter: string;
  status: string;
}

export function followPaths(dir: string): FollowPaths {
  return {
    dir,
    db: join(dir, 'follow.db'),
    deadLetter: join(dir, 'follow.dead-letter.ndjson'),
    status: join(dir, 'status.json'),
  };
}

/** Polls `probe` until it returns something other than undefined/false, or fails after the timeout. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : (options.what ?? 'condition');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

/** Runs `fn` on a read-only connection; undefined while the database or its tables do not exist. */
export function readDb<T>(db: string, fn: (d: Database.Database) => T): T | undefined {
  if (!existsSync(db)) return undefined;
  let d: Database.Database | undefined;
  try {
    d = new Database(db, { readonly: true, fileMustExist: true });
    d.pragma('busy_timeout = 2000');
    return fn(d);
  } catch (err) {
    if (err instanceof Error && /no such table/.test(err.message)) return undefined;
    throw err;
  } finally {
    d?.close();
  }
}

/** Rows in `events` (0 before the table exists). */
export function eventCount(db: string): number {
  return readDb(db, (d) => (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n) ?? 0;
}

/** Waits until `events` holds exactly `n` rows (fails at once if it holds more). */
export async function waitForRows(db: string, n: number, follower?: FollowerProcess, timeoutMs = 30_000): Promise<void> {
  let last = 0;
  await waitFor(
    () => {
      last = eventCount(db);
      if (last > n) throw new Error(`events holds ${last} rows, more than the ${n} expected`);
      return last === n;
    },
    { timeoutMs, what: () => `${n} rows in events (have ${last}); follower stderr:\n${follower?.stderr ?? ''}` },
  );
}

/** seq numbers per session, ascending. */
export function seqsBySession(db: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const rows = readDb(db, (d) => d.prepare('SELECT session_id, seq FROM events ORDER BY session_id, seq').all()) ?? [];
  for (const r of rows as { session_id: string; seq: number }[]) {
    let list = out.get(r.session_id);
    if (!list) out.set(r.session_id, (list = []));
    list.push(r.seq);
  }
  return out;
}

/** from, from+1, … (count numbers). */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

export interface EventRow {
  id: number;
  seq: number;
  ts_ms: number | null;
  type: string | null;
  msg: string | null;
  plate: string | null;
  t_rel_ms: number | null;
  session_id: string;
  pid: number | null;
  schema: string | null;
  data_json: string | null;
}

export function eventRows(db: string, where = '1 = 1', ...params: (string | number)[]): EventRow[] {
  return (readDb(db, (d) => d.prepare(`SELECT * FROM events WHERE ${where} ORDER BY id`).all(...params)) ?? []) as EventRow[];
}

export interface CursorRow {
  key: string;
  unit: string;
  identity: string;
  size: number;
  offset: number;
  line: number;
  done: number;
}

/** File cursors (not the dead-letter mark). */
export function fileCursors(db: string): CursorRow[] {
  const rows = readDb(db, (d) => d.prepare("SELECT * FROM sluice_cursors WHERE key NOT LIKE 'dead-letter:%' ORDER BY unit").all()) ?? [];
  return rows as CursorRow[];
}

/** The parts of the status file the tests read. */
export interface FollowStatus {
  pid: number;
  phase: string;
  unit: string | null;
  lag_bytes: number;
  counts: { written: number; read: number; bad: number; duplicates: number };
}

/** The status file now, or undefined while it does not exist. */
export function readStatus(path: string): FollowStatus | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FollowStatus;
  } catch {
    return undefined; // replaced by rename, so this is rare; the next look will do
  }
}

/** Waits until the follower reports `tailing` (its first pass over the files is done). */
export async function waitForTailing(status: string, follower: FollowerProcess, timeoutMs = 20_000): Promise<void> {
  // The file may still hold an earlier follower's last word ("tailing", then killed): only this
  // follower's own status counts, so a test does not act while this one is still opening its sink.
  await waitFor(() => {
    const s = readStatus(status);
    return s?.phase === 'tailing' && s.pid === follower.pid;
  }, {
    timeoutMs,
    what: () => `phase tailing in ${status}; follower stderr:\n${follower.stderr}`,
  });
}

export interface DeadLetter {
  file: string;
  line: number;
  offset: number;
  reason: string;
  raw: string;
}

export function deadLetters(path: string): DeadLetter[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DeadLetter);
}

/** `(session, seq)` of every complete line of NDJSON files, as `session|seq`. */
export function keysInFiles(files: readonly string[]): string[] {
  const keys: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (line === '') continue;
      const r = JSON.parse(line) as { session_id: string; seq: number };
      keys.push(`${r.session_id}|${r.seq}`);
    }
  }
  return keys;
}
