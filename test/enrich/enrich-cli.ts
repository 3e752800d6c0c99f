import { spawn } from 'node:child_process';
import { SLUICE_BIN, type CliResult } from '../helpers/cli.js';

/**
 * Runs `sluice ARGS` without blocking this process's event loop (the fake API answers from it),
 * with extra environment variables.
 */
export function runSluiceAsync(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SLUICE_BIN, ...args], {
      env: { ...process.env, VT_API_KEY: undefined, DSHIELD_EMAIL: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
