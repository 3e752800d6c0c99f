import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { startSluice } from './cli.js';

/** A running `sluice dashboard` and the URL it printed. */
export interface DashboardProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stop(): Promise<number | null>;
}

/** Starts `sluice dashboard ARGS --port 0` and waits (at most 30 s) for its "open URL" line. */
export async function startDashboardProcess(args: readonly string[], env?: Record<string, string | undefined>): Promise<DashboardProcess> {
  const child = startSluice(['dashboard', '--port', '0', ...args], env ? { env } : {});
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dashboard did not start: ${stderr}`)), 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /open (http:\/\/\S+?)\/?\n/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`dashboard exited ${code}: ${stderr}`));
    });
  });
  return {
    child,
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('close', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
