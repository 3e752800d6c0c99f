import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { runSluiceWith, summaryOf } from '../../helpers/spool-cli.js';
import { pinoSamplesPresent } from '../../helpers/spool-samples.js';
import { LOGS_COLUMNS, OLD_LOGS_DDL, oldLayoutRows, pinoSamples } from '../../helpers/applog-old-layout.js';

const ready = pinoSamplesPresent();

/** The sqlite3 shell's answer to one query (the oracle: not our code). */
const shell = (db: string, sql: string): string => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();
/** Entries in the sample files, counted by jq (not our code). */
const jqCount = (files: string[]): number => Number(execFileSync('jq', ['-s', 'map(length) | add', ...files], { encoding: 'utf8' }).trim());

const ingest = (files: string[], db: string, work: string) =>
  runSluiceWith(['ingest', ...files, '--profile', 'applog', '--db', db, '--json', '--no-progress', '--dead-letter', join(work, 'dead.ndjson')]);

/** Two entries identical to the character, at positions 1 and 3: a service may log a line twice. */
const REPEATS = [
  { level: 30, time: 1743532098000, msg: 'cache miss', pid: 7 },
  { level: 40, time: 1743532098001, msg: 'slow', pid: 7 },
  { level: 30, time: 1743532098000, msg: 'cache miss', pid: 7 },
];

describe.skipIf(!ready)('app-log rows are keyed by content, not by file name', () => {
  it('the same files renamed and recompressed add no row; identical entries in one file stay two', async () => {
    const work = tempDir();
    const first = join(work, 'first');
    const moved = join(work, 'moved', 'elsewhere');
    mkdirSync(first);
    mkdirSync(moved, { recursive: true });
    const samples = pinoSamples();
    const plain = samples.map((s) => {
      writeFileSync(join(first, s.name), s.text);
      return join(first, s.name);
    });
    writeFileSync(join(first, 'repeats.json'), JSON.stringify(REPEATS));
    const db = join(work, 'logs.db');
    const run = await ingest([...plain, join(first, 'repeats.json')], db, work);
    expect(run.code, run.stderr).toBe(0);
    const expected = jqCount(plain) + REPEATS.length;
    expect(expected).toBe(612 + 3);
    expect(shell(db, 'SELECT count(*) FROM logs')).toBe(String(expected));

    const renamed = samples.map((s, i) => {
      const path = join(moved, `renamed-${i}.json.gz`);
      writeFileSync(path, gzipSync(Buffer.from(s.text)));
      return path;
    });
    writeFileSync(join(moved, 'repeats-again.json.gz'), gzipSync(JSON.stringify(REPEATS)));
    const again = await ingest([...renamed, join(moved, 'repeats-again.json.gz')], db, work);
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(again)).toMatchObject({ inserted: 0, duplicates: expected, bad: 0 });
    expect(shell(db, 'SELECT count(*) FROM logs')).toBe(String(expected));
    expect(shell(db, "SELECT count(*) FROM logs WHERE source_file = 'repeats.json'")).toBe('3');
  });

  it('migrates an old-layout database: rows re-keyed as a fresh ingest keys them, copies under other names removed', async () => {
    const work = tempDir();
    const samples = pinoSamples();
    const old = join(work, 'old.db');
    const db = new Database(old);
    db.exec(OLD_LOGS_DDL.sqlite);
    const insert = db.prepare(`INSERT INTO logs (${LOGS_COLUMNS}) VALUES (${LOGS_COLUMNS.split(', ').map(() => '?').join(', ')})`);
    // Every sample once, the first again under its gzipped name (the 78 extra rows of issue 21), and
    // a file holding one entry twice (two rows that must stay two).
    const stored = [
      ...samples.map((s) => oldLayoutRows(s.name, s.entries)),
      oldLayoutRows(`${samples[0]?.name}.gz`, samples[0]?.entries ?? []),
      oldLayoutRows('repeats.json', REPEATS),
    ].flat();
    db.transaction(() => stored.forEach((r) => insert.run(...r)))();
    db.close();
    expect(shell(old, 'SELECT count(*) FROM logs')).toBe(String(612 + 78 + 3));

    // A fresh database of the same files: the keys the migrated one must hold.
    const dir = join(work, 'files');
    mkdirSync(dir);
    const files = samples.map((s) => {
      writeFileSync(join(dir, s.name), s.text);
      return join(dir, s.name);
    });
    writeFileSync(join(dir, 'repeats.json'), JSON.stringify(REPEATS));
    files.push(join(dir, 'repeats.json'));
    const fresh = join(work, 'fresh.db');
    expect((await ingest(files, fresh, work)).code).toBe(0);

    // Any run on the old database migrates it; re-ingesting the files then adds nothing.
    const run = await ingest(files, old, work);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toMatchObject({ inserted: 0, duplicates: 615 });
    expect(shell(old, 'SELECT count(*) FROM logs')).toBe('615');
    expect(shell(old, 'SELECT max(version) FROM schema_version WHERE component = \'applog\'')).toBe('2');
    const ids = (path: string): string => shell(path, 'SELECT group_concat(id) FROM (SELECT id FROM logs ORDER BY id)');
    expect(ids(old)).toBe(ids(fresh));
    // The copy kept is the first stored (the plain file), and both repeats are there.
    expect(shell(old, `SELECT count(*) FROM logs WHERE source_file = '${samples[0]?.name}.gz'`)).toBe('0');
    expect(shell(old, "SELECT count(*) FROM logs WHERE source_file = 'repeats.json'")).toBe('3');
  });
});
