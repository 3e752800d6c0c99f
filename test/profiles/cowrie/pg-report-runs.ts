import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { PG_BASE_URL, type TestSchema } from '../../helpers/pg-test-db.js';
import { reportText } from '../../helpers/report-compare.js';
import { runSluiceWith } from '../../helpers/spool-cli.js';

/**
 * What the PostgreSQL tests of Cowrie's report tables share: psql as the oracle, a report's rows as
 * `sluice report` gives them, an ingest into a test schema, and five overlapping input files.
 */

/** Rows of `sql` in `schema` as psql gives them (the oracle: another program over the same rows). */
export function psqlRows(schema: string, sql: string): unknown[] {
  const out = execFileSync('psql', [PG_BASE_URL, '-XAtq', '-c', `SET search_path TO "${schema}"`, '-c', `SELECT coalesce(json_agg(t), '[]') FROM (${sql}) AS t`], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as unknown[];
}

/** Every row of a Cowrie report, as `sluice report --format json` writes them. */
export async function reportRows(url: string, name: string): Promise<unknown[]> {
  return JSON.parse((await reportText(url, 'cowrie', { name, flags: { limit: 0 } }, 'json')).text) as unknown[];
}

/** `sluice ingest` of Cowrie files into the schema, in batches of `batch` events. */
export async function ingestCowrie(files: readonly string[], pg: TestSchema, dir: string, batch = 200): Promise<void> {
  const run = await runSluiceWith(['ingest', ...files, '--profile', 'cowrie', '--into', pg.url, '--batch-size', String(batch),
    '--dead-letter', join(dir, `${pg.name}.dl.ndjson`), '--no-progress']);
  expect(run.code, run.stderr).toBe(0);
}

/**
 * Five files of the event lines: [0, a), [from, b) (overlapping the first), [b, c), [from, b) again
 * (a file read twice) and [c, end) with the first 300 lines (repeats far apart).
 */
export function fiveOverlappingFiles(dir: string, lines: readonly string[], [a, from, b, c]: readonly [number, number, number, number]): string[] {
  const parts = [lines.slice(0, a), lines.slice(from, b), lines.slice(b, c), lines.slice(from, b), [...lines.slice(c), ...lines.slice(0, 300)]];
  return parts.map((part, i) => {
    const path = join(dir, `cowrie.json.${i}`);
    writeFileSync(path, `${part.join('\n')}\n`);
    return path;
  });
}

/** Runs a migration's undo (statements separated by `;`): the schema as a writer before that migration left it. */
export async function undoMigration(pg: TestSchema, undo: string): Promise<void> {
  for (const statement of undo.split(';').filter((s) => s.trim() !== '')) await pg.query(statement);
}

/** The Cowrie schema version a writer left in the schema. */
export async function cowrieSchemaVersion(pg: TestSchema): Promise<number | undefined> {
  const [v] = await pg.query<{ v: number }>("SELECT max(version) AS v FROM schema_version WHERE component = 'cowrie'");
  return v?.v;
}
