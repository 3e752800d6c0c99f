import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { SLUICE_BIN } from '../helpers/cli.js';

/** A `sluice serve` child process and the URL it listens on. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Starts `sluice serve ARGS --port 0` and waits for its "listening on" line. */
export async function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [SLUICE_BIN, 'serve', '--port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`sluice serve exited ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

/** Waits for a child to exit; returns its code (or signal name). */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}
