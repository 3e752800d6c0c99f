import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real `sluice` launcher, as a user runs it (built by `npm run build`). */
export const SLUICE_BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/**
 * The shared sample data folder (`../shared/data` beside the checkout; `SLUICE_SHARED_DATA` or the
 * workplace's `/work/shared/data` for a clone made elsewhere); `SLUICE_SHARED_DATA`, when set, is
 * taken as it is, even when it does not exist. Tests that read it skip with a reason
 * when it is absent, and fail in CI.
 */
export const SHARED_DATA = process.env.SLUICE_SHARED_DATA ?? [
  fileURLToPath(new URL('../../../shared/data', import.meta.url)),
  '/work/shared/data',
].find((dir): dir is string => dir !== undefined && existsSync(dir)) ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `sluice ARGS` to completion. */
export function runSluice(
  args: readonly string[],
  options: { input?: string | Buffer; cwd?: string; env?: Record<string, string | undefined> } = {},
): CliResult {
  const r = spawnSync(process.execPath, [SLUICE_BIN, ...args], {
    input: options.input,
    cwd: options.cwd,
    env: options.env ? { ...process.env, ...options.env } : process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `sluice ARGS` to completion without blocking the test's event loop, so tests of a
 * `describe.concurrent` can wait on their processes at the same time. Same options and result as runSluice.
 */
export function runSluiceAsync(
  args: readonly string[],
  options: { input?: string | Buffer; cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliResult> {
  const child = startSluice(args, { cwd: options.cwd, env: options.env, stdin: true });
  child.stdin.on('error', () => undefined); // input the process did not read before it exited
  child.stdin.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `sluice ARGS` without waiting; its standard input is closed unless `stdin` (then the caller writes it). */
export function startSluice(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined>; stdin?: boolean } = {}) {
  const child = spawn(process.execPath, [SLUICE_BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: options.cwd,
    env: options.env ? { ...process.env, ...options.env } : process.env,
  });
  if (!options.stdin) child.stdin.end();
  return child;
}

/** A fresh temp folder for one test. */
export function tempDir(prefix = 'sluice-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
