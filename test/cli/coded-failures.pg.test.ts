import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runSluiceWith, type SluiceRun } from '../helpers/spool-cli.js';

/** A one-line coded usage error: exit 2, the code, no stack trace, no "unexpected failure". */
function expectCodedUsage(run: SluiceRun, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toMatch(/\[SLUICE_E_CONFIG\]/);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/unexpected failure/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
}

describe('what the user named is not there: a coded one-line error, exit 2', () => {
  const work = tempDir();
  const from = join(work, 'in');
  mkdirSync(from);

  it('spool --into postgres://…/a database that does not exist', async () => {
    const run = await runSluiceWith(['spool', '--from', from, '--into', 'postgres://postgres@127.0.0.1:5432/sluice_no_such_db', '--mode', 'once', '--dead-letter', join(work, 'dl.ndjson'), '--no-progress']);
    expectCodedUsage(run, /no such database/);
  });

  it('archive ldo --table a table that does not exist', async () => {
    const run = await runSluiceWith(['archive', 'ldo', '--from', 'postgres://postgres@127.0.0.1:5432/test', '--table', 'sluice_no_such_table', '--older-than', '90d', '--to', 'http://127.0.0.1:9']);
    expectCodedUsage(run, /no such table/);
  });

  it('archive ldo --from a port nothing listens on', async () => {
    const run = await runSluiceWith(['archive', 'ldo', '--from', 'postgres://postgres@127.0.0.1:9/test', '--table', 't', '--older-than', '90d', '--to', 'http://127.0.0.1:9']);
    expectCodedUsage(run, /cannot reach/);
  });

  it('spool --from s3://… at an endpoint nothing listens on', async () => {
    const run = await runSluiceWith(['spool', '--from', 's3://bucket/prefix', '--s3-endpoint', 'http://127.0.0.1:9', '--db', join(work, 's.db'), '--mode', 'once', '--no-progress'], {
      env: { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', AWS_REGION: 'us-east-1' },
    });
    expectCodedUsage(run, /cannot reach/);
  }, 60_000);
});
