import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './cli.js';

/** A running local S3-compatible server (s3rver) and the settings to reach it. */
export interface LocalS3 {
  endpoint: string;
  /** Environment for a `sluice` child process: the seed's variable names. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts s3rver in a forked process with the given buckets; credentials are S3RVER/S3RVER. */
export async function startLocalS3(buckets: readonly string[]): Promise<LocalS3> {
  const script = fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url));
  const child: ChildProcess = fork(script, [JSON.stringify({ directory: join(tempDir('s3rver-'), 'data'), buckets })], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: { AWS_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
