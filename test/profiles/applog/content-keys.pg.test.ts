import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { APPLOG_POSTGRES_MIGRATIONS } from '../../../src/profiles/applog/schema.js';
import { LOGS_COLUMNS, oldLayoutRows, pinoSamples } from '../../helpers/applog-old-layout.js';
import { tempDir } from '../../helpers/cli.js';
import { PG_BASE_URL, postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { runSluiceWith, summaryOf } from '../../helpers/spool-cli.js';
import { pinoSamplesPresent } from '../../helpers/spool-samples.js';

const ready = pinoSamplesPresent() && (await postgresReachable());

/** psql's answer to one query in a schema (the oracle: not our code). */
const psql = (schema: string, sql: string): string =>
  execFileSync('psql', [PG_BASE_URL, '-XAtq', '-c', `SET search_path TO "${schema}"`, '-c', sql], { encoding: 'utf8' }).trim();

const REPEATS = [
  { level: 30, time: 1743532098000, msg: 'cache miss', pid: 7 },
  { level: 40, time: 1743532098001, msg: 'slow', pid: 7 },
  { level: 30, time: 1743532098000, msg: 'cache miss', pid: 7 },
];

describe.skipIf(!ready)('app-log rows in PostgreSQL are keyed by content, not by file name', () => {
  const schemas: TestSchema[] = [];
  const work = tempDir();
  const samples = ready ? pinoSamples() : [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  /** The samples (and the repeats file) in a folder, plain or gzipped under other names. */
  const folder = (name: string, renamed: boolean): string => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    samples.forEach((s, i) => writeFileSync(renamed ? join(dir, `moved-${i}.json.gz`) : join(dir, s.name), renamed ? gzipSync(s.text) : s.text));
    writeFileSync(join(dir, renamed ? 'repeats-moved.json.gz' : 'repeats.json'), renamed ? gzipSync(JSON.stringify(REPEATS)) : JSON.stringify(REPEATS));
    return dir;
  };
  // The two tests use their own schemas and folders: they run at once.
  const spool = (from: string, pg: TestSchema) =>
    runSluiceWith(['spool', '--from', from, '--into', pg.url, '--profile', 'applog', '--mode', 'once', '--json', '--no-progress', '--dead-letter', join(work, `${pg.name}.ndjson`)]);

  it.concurrent('a spool of the same files renamed and recompressed adds no row (615, not 690 + 3)', async () => {
    const pg = testSchema('t_applog_keys');
    schemas.push(pg);
    const first = await spool(folder('plain', false), pg);
    expect(first.code, first.stderr).toBe(0);
    expect(psql(pg.name, 'SELECT count(*) FROM logs')).toBe('615');
    const moved = await spool(folder('moved', true), pg);
    expect(moved.code, moved.stderr).toBe(0);
    expect(summaryOf(moved)).toMatchObject({ inserted: 0, duplicates: 615, bad: 0 });
    expect(psql(pg.name, 'SELECT count(*) FROM logs')).toBe('615');
  });

  it.concurrent('migrates an old-layout schema: re-keyed as a fresh spool keys them, copies under other names removed', async () => {
    const old = testSchema('t_applog_old');
    schemas.push(old);
    await old.query(`CREATE SCHEMA "${old.name}"`);
    await old.query(`SET search_path TO "${old.name}"`);
    await old.query(APPLOG_POSTGRES_MIGRATIONS[0]?.sql ?? '');
    await old.query(`CREATE TABLE schema_version (component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
    await old.query("INSERT INTO schema_version (component, version, description) VALUES ('applog', 1, 'logs table of seed 002')");
    const rows = [
      ...samples.map((s) => oldLayoutRows(s.name, s.entries)),
      oldLayoutRows(`${samples[0]?.name}.gz`, samples[0]?.entries ?? []),
      oldLayoutRows('repeats.json', REPEATS),
    ].flat();
    const placeholders = LOGS_COLUMNS.split(', ').map((_, i) => `$${i + 1}`).join(', ');
    for (const r of rows) await old.query(`INSERT INTO logs (${LOGS_COLUMNS}) VALUES (${placeholders})`, r);
    expect(psql(old.name, 'SELECT count(*) FROM logs')).toBe(String(612 + 78 + 3));

    const fresh = testSchema('t_applog_fresh');
    schemas.push(fresh);
    const plain = folder('plain2', false);
    expect((await spool(plain, fresh)).code).toBe(0);

    // The spool opens the sink, which migrates; its files are all stored already.
    const run = await spool(plain, old);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run)).toMatchObject({ inserted: 0, duplicates: 615 });
    expect(psql(old.name, 'SELECT count(*) FROM logs')).toBe('615');
    expect(psql(old.name, "SELECT max(version) FROM schema_version WHERE component = 'applog'")).toBe('2');
    const ids = (schema: string): string => psql(schema, 'SELECT string_agg(id, \',\' ORDER BY id) FROM logs');
    expect(ids(old.name)).toBe(ids(fresh.name));
    expect(psql(old.name, `SELECT count(*) FROM logs WHERE source_file = '${samples[0]?.name}.gz'`)).toBe('0');
    expect(psql(old.name, "SELECT count(*) FROM logs WHERE source_file = 'repeats.json'")).toBe('3');
  });
});
