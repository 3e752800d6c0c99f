import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startSluiceWith, type SluiceRun } from '../helpers/spool-cli.js';

/**
 * A fault in the listing phase of `spool --from s3://…`: a real HTTP server stands in for S3 and answers
 * every request badly (a body that is no XML, or 500 every time, past the SDK's own retries). The run must
 * end with exit 1 and one coded line, never a hang or an `unexpected failure` stack.
 */
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A stand-in for S3 that answers every request with this status and body, or (`drop`) hangs up without a word. */
async function badS3(status: number, contentType: string, body: string, drop = false): Promise<string> {
  server = createServer((req, res) => {
    if (drop) {
      req.socket.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function spoolFrom(endpoint: string): Promise<SluiceRun & { hung: boolean }> {
  const db = join(tempDir('sluice-listing-'), 'logs.db');
  const child = startSluiceWith(['spool', '--from', 's3://app-logs/prod/', '--db', db, '--mode', 'once', '--no-progress'], {
    env: { AWS_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' },
  });
  const timer = setTimeout(() => child.child.kill('SIGKILL'), 30_000);
  const end = await child.done;
  clearTimeout(timer);
  return { ...end, hung: end.signal === 'SIGKILL' };
}

describe('a fault while listing S3 units ends spool: exit 1, one coded line, no hang', () => {
  it.each([
    ['a 200 whose body is no XML', 200, 'application/xml', 'this is not xml <<<', /listing s3:\/\/app-logs\/prod\/ failed: .*XML/],
    ['a 500 every time (after the SDK retries)', 500, 'application/xml', '<Error><Code>InternalError</Code><Message>injected listing fault</Message></Error>', /listing s3:\/\/app-logs\/prod\/ failed \(HTTP 500 InternalError\): injected listing fault/],
  ] as const)('%s', async (_what, status, type, body, message) => {
    const r = await spoolFrom(await badS3(status, type, body));
    expect(r.hung, `still running after 30 s:\n${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/cannot use .*\[SLUICE_E_SOURCE\]/);
    expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('a connection dropped without an answer, every time: lost_connection, exit 1', async () => {
    const endpoint = await badS3(200, 'application/xml', '', true);
    const r = await spoolFrom(endpoint);
    expect(r.hung, `still running after 30 s:\n${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/listing s3:\/\/app-logs\/prod\/ failed: (ECONNRESET|EPIPE)/);
    expect(r.stderr).toMatch(/Nothing committed is lost.*\[SLUICE_E_SOURCE\]/);
    expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
