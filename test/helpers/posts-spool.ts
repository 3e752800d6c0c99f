import { expect } from 'vitest';
import type { TestSchema } from './pg-test-db.js';
import { runSluiceWith, summaryOf, type SpoolSummary } from './spool-cli.js';

/** `sluice spool --profile posts --from FROM --into INTO --mode once` to a successful end; its summary. */
export async function spoolPosts(from: string, into: string): Promise<SpoolSummary> {
  const run = await runSluiceWith(['spool', '--profile', 'posts', '--from', from, '--into', into, '--mode', 'once', '--no-progress', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return summaryOf(run);
}

/** The same run into a SQLite file and a PostgreSQL schema, side by side; their summaries in that order. */
export async function spoolPostsBoth(from: string, sqlitePath: string, pg: TestSchema): Promise<[SpoolSummary, SpoolSummary]> {
  return Promise.all([spoolPosts(from, `sqlite:${sqlitePath}`), spoolPosts(from, pg.url)]);
}
