import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestSchema } from './pg-test-db.js';
import { runSluiceWith, summaryOf, type SpoolSummary } from './spool-cli.js';

/** `sluice spool --profile posts --from FROM --into INTO --mode once` to a successful end; its summary. */
export async function spoolPosts(from: string, into: string): Promise<SpoolSummary> {
  // Dead letters in a folder of this run's own: a PostgreSQL sink's default is the working folder,
  // which test files running at the same time share (one writer per dead-letter file).
  const deadLetter = join(mkdtempSync(join(tmpdir(), 'sluice-posts-dl-')), 'dead-letter.ndjson');
  const run = await runSluiceWith(['spool', '--profile', 'posts', '--from', from, '--into', into, '--mode', 'once', '--dead-letter', deadLetter, '--no-progress', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return summaryOf(run);
}

/** The same run into a SQLite file and a PostgreSQL schema, side by side; their summaries in that order. */
export async function spoolPostsBoth(from: string, sqlitePath: string, pg: TestSchema): Promise<[SpoolSummary, SpoolSummary]> {
  return Promise.all([spoolPosts(from, `sqlite:${sqlitePath}`), spoolPosts(from, pg.url)]);
}
