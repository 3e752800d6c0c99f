import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BAD_REASON } from '../../../src/core/bad-record.js';
import { runSluiceAsync, SHARED_DATA, tempDir } from '../../helpers/cli.js';

/** A real bridge log in a later format than seed 000's: no session_id, seq is epoch seconds. */
const TINTOWN_SAMPLE = join(SHARED_DATA, 'ndjson', 'tintown-bridge', 'latest_test.ndjson');
/** Foreign JSON-lines files (pino, bunyan, GH Archive, invalid and nested JSON) from lnav's tests. */
const LNAV_DIR = join(SHARED_DATA, 'ndjson', 'lnav-test');
/** In CI the shared data is always checked out, so its absence is a failure there, not a skip. */
const IN_CI = process.env.CI === 'true';

interface Summary {
  status: string;
  inserted: number;
  duplicates: number;
  bad: number;
  skipped: number;
  dead_letter: string | null;
}

interface DeadLetter {
  file: string;
  line: number;
  offset: number;
  reason: string;
  raw: string;
}

/** The file's lines as the engine numbers them: split on \n, a trailing \r dropped. */
interface FileLines {
  texts: string[];
  offsets: number[];
  blank: boolean[];
  nonBlank: number;
}

function splitLines(bytes: Buffer): FileLines {
  const texts: string[] = [];
  const offsets: number[] = [];
  const blank: boolean[] = [];
  let start = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(10, start);
    const end = nl === -1 ? bytes.length : nl;
    const body = end > start && bytes[end - 1] === 13 ? bytes.subarray(start, end - 1) : bytes.subarray(start, end);
    texts.push(body.toString('utf8'));
    offsets.push(start);
    // Blank as NDJSON readers mean it: nothing but spaces, tabs and carriage returns.
    blank.push(body.every((c) => c === 32 || c === 9 || c === 13));
    start = end + 1;
  }
  return { texts, offsets, blank, nonBlank: blank.filter((b) => !b).length };
}

function countRows(db: string): number {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

const REASON_WORDS: ReadonlySet<string> = new Set(Object.values(BAD_REASON));

/**
 * Ingests one file as the bridge profile into a fresh database and checks that every non-blank
 * line is accounted for exactly once: stored as a row, counted as a duplicate, or dead-lettered
 * with a reason and the line it came from.
 */
async function ingestAndAccount(file: string): Promise<{ rows: number; deadLetters: number; nonBlank: number }> {
  const dir = tempDir('sluice-real-');
  const db = join(dir, 'sample.db');
  const deadLetterPath = join(dir, 'sample.dead-letter.ndjson');
  const r = await runSluiceAsync(['ingest', file, '--db', db, '--json', '--no-progress']);
  expect([0, 3], `sluice ingest ${file} exited ${String(r.code)}:\n${r.stderr}`).toContain(r.code);
  const summary = JSON.parse(r.stdout.trim()) as Summary;
  expect(summary.status).toBe('done');

  const lines = splitLines(readFileSync(file));
  const rows = countRows(db);
  const dead = existsSync(deadLetterPath)
    ? readFileSync(deadLetterPath, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DeadLetter)
    : [];

  expect(rows).toBe(summary.inserted);
  expect(dead).toHaveLength(summary.bad);
  expect(r.code).toBe(dead.length > 0 ? 3 : 0);
  if (dead.length > 0) expect(summary.dead_letter).toBe(deadLetterPath);
  // The invariant: rows + dead letters == non-blank lines (plus duplicates, should a file repeat a key).
  expect(rows + summary.duplicates + dead.length, `${rows} rows + ${summary.duplicates} duplicates + ${dead.length} dead letters`).toBe(
    lines.nonBlank,
  );

  const seen = new Set<number>();
  for (const d of dead) {
    const where = `${file} dead letter ${JSON.stringify(d).slice(0, 200)}`;
    expect(typeof d.reason, where).toBe('string');
    expect(REASON_WORDS.has(d.reason.split(':')[0] ?? ''), `${where}: reason has no known first word`).toBe(true);
    expect(d.reason.length, where).toBeGreaterThan(d.reason.indexOf(':') + 2);
    expect(d.file, where).toBe(file);
    expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines.texts.length, `${where}: line out of 1..${lines.texts.length}`).toBe(true);
    expect(seen.has(d.line), `${where}: line dead-lettered twice`).toBe(false);
    seen.add(d.line);
    const i = d.line - 1;
    expect(lines.blank[i], `${where}: points at a blank line`).toBe(false);
    expect(d.offset, `${where}: offset is not where line ${d.line} starts`).toBe(lines.offsets[i]);
    if (!d.reason.startsWith(BAD_REASON.lineTooLong)) expect(d.raw, where).toBe(lines.texts[i]);
  }
  return { rows, deadLetters: dead.length, nonBlank: lines.nonBlank };
}

function missingTitle(path: string): string {
  return existsSync(path) ? '' : ` (skipped: ${path} is absent; the shared sample data is not checked out here)`;
}

describe.skipIf(!existsSync(TINTOWN_SAMPLE) && !IN_CI)(`bridge profile on the real TinTown bridge log${missingTitle(TINTOWN_SAMPLE)}`, () => {
  it('does not crash and accounts for every non-blank line as a row or a dead letter', async () => {
    expect(existsSync(TINTOWN_SAMPLE), `${TINTOWN_SAMPLE} is missing; CI must have the shared sample data`).toBe(true);
    const n = await ingestAndAccount(TINTOWN_SAMPLE);
    console.log(`tintown-bridge/latest_test.ndjson: ${n.rows} rows, ${n.deadLetters} dead letters, ${n.nonBlank} non-blank lines`);
    expect(n.nonBlank).toBeGreaterThan(0);
  });
});

const lnavFiles = existsSync(LNAV_DIR) ? readdirSync(LNAV_DIR).filter((f) => !f.startsWith('.')).sort() : [];

describe.skipIf(!existsSync(LNAV_DIR) && !IN_CI)(`bridge profile on foreign JSON-lines files from lnav${missingTitle(LNAV_DIR)}`, () => {
  it('finds the sample files', () => {
    expect(existsSync(LNAV_DIR), `${LNAV_DIR} is missing; CI must have the shared sample data`).toBe(true);
    expect(lnavFiles.length).toBeGreaterThan(0);
  });

  // Each file in its own folder: several run at once.
  it.concurrent.each(lnavFiles)('%s: never crashes, and rows + dead letters == non-blank lines', async (name) => {
    const n = await ingestAndAccount(join(LNAV_DIR, name));
    console.log(`lnav-test/${name}: ${n.rows} rows, ${n.deadLetters} dead letters, ${n.nonBlank} non-blank lines`);
  });
});
