import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { SLUICE_BIN } from './cli.js';

/** How a `sluice` child process ended, with everything it printed. */
export interface SluiceRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The `--json` summary line of `sluice spool` / `sluice ingest`. */
export interface SpoolSummary {
  status: string;
  read: number;
  inserted: number;
  duplicates: number;
  bad: number;
  units_done: number;
  dead_letter: string | null;
  failed_units?: number;
}

/** Options for a child: extra environment (S3 settings) and a working folder. */
export interface SluiceSpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
}

/** A started `sluice` process; `done` resolves when it has exited and its output is drained. */
export interface SluiceChild {
  child: ChildProcessWithoutNullStreams;
  done: Promise<SluiceRun>;
}

/** Starts `sluice ARGS` with extra environment (runSluice in cli.ts takes none). */
export function startSluiceWith(args: readonly string[], options: SluiceSpawnOptions = {}): SluiceChild {
  const started = performance.now();
  const child = spawn(process.execPath, [SLUICE_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SluiceRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started }));
  });
  return { child, done };
}

/** Runs `sluice ARGS` to its end (asynchronously, so several can run at once). */
export function runSluiceWith(args: readonly string[], options: SluiceSpawnOptions = {}): Promise<SluiceRun> {
  return startSluiceWith(args, options).done;
}

/** The last JSON line of stdout: the run summary. Throws with the output when there is none. */
export function summaryOf(run: SluiceRun): SpoolSummary {
  const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`no JSON summary (exit ${run.code}, signal ${run.signal})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return JSON.parse(line) as SpoolSummary;
}

/** A line of the dead-letter file. */
export interface DeadLetterLine {
  file: string;
  line: number;
  offset: number;
  reason: string;
  raw: string;
}

/** The dead-letter file's lines (none when it does not exist). */
export function deadLetters(path: string): DeadLetterLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DeadLetterLine);
}

/** A unit as `sluice jobs list --json` prints it (the seed's ProcessedFile shape). */
export interface JobsListUnit {
  s3Key: string;
  bucket: string;
  status: string;
  processedAt: string | null;
  metadata: { size: number; error?: string; lastAttempt?: string; attempts: number };
  leaseUntil: string | null;
  worker: string | null;
}

/** `sluice jobs list --json` output. */
export interface JobsList {
  total: number;
  page: number;
  units: JobsListUnit[];
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}
