import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CAUSE_HINTS, ERROR_CATALOGUE, SluiceError, type SluiceErrorCause, type SluiceErrorCode } from '../../src/core/errors.js';
import { openSqliteDatabase } from '../../src/db/sqlite/open-database.js';
import { unitBytes } from '../../src/parse/unit-bytes.js';
import { sqliteUnitFile } from '../../src/parse/sqlite-unit-file.js';
import { runSluice, tempDir } from '../helpers/cli.js';

const SRC = new URL('../../src/', import.meta.url).pathname;
const causesOf = (code: SluiceErrorCode): readonly string[] => ('causes' in ERROR_CATALOGUE[code] ? (ERROR_CATALOGUE[code] as { causes: readonly string[] }).causes : []);

/** Every `new SluiceError('CODE', …)` in src/: its code, the text of the call, and where it is. */
function throwSites(): Array<{ code: string; call: string; file: string }> {
  const sites: Array<{ code: string; call: string; file: string }> = [];
  for (const rel of readdirSync(SRC, { recursive: true }) as string[]) {
    if (!rel.endsWith('.ts')) continue;
    const text = readFileSync(join(SRC, rel), 'utf8');
    for (const m of text.matchAll(/new SluiceError\(\s*'(SLUICE_E_[A-Z_]+)',([\s\S]*?)\);\n/g)) sites.push({ code: m[1] ?? '', call: m[2] ?? '', file: rel });
  }
  return sites;
}

describe('the error catalogue and its causes', () => {
  it('lists every code with a hint, and every cause under a code; each hint is a sentence of its own', () => {
    const listed = new Set<string>();
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.hint, code).toMatch(/^[A-Z`].*[.)]$/);
      for (const cause of causesOf(code as SluiceErrorCode)) {
        expect(Object.keys(CAUSE_HINTS), `${code} lists an unknown cause ${cause}`).toContain(cause);
        listed.add(cause);
      }
    }
    for (const [cause, hint] of Object.entries(CAUSE_HINTS)) {
      expect(listed.has(cause), `${cause} is under no code`).toBe(true);
      expect(hint, cause).toMatch(/^[A-Z].*\.$/);
    }
    // Causes of data that is there but broken never send the user to look for the file.
    for (const cause of ['not_gzip', 'broken_gzip', 'broken_zip', 'not_sqlite', 'unit_too_large', 'not_a_database', 'bad_answer'] as const) {
      expect(CAUSE_HINTS[cause], cause).not.toMatch(/exists|check the (database )?path/i);
    }
  });

  it('every error thrown with a cause uses a cause of its code', () => {
    const sites = throwSites();
    expect(sites.length).toBeGreaterThan(30);
    for (const s of sites) {
      for (const m of s.call.matchAll(/because: (?:[^,}]*\? )?'([a-z_]+)'/g)) {
        expect(causesOf(s.code as SluiceErrorCode), `${s.file}: ${s.code} with cause ${m[1]}`).toContain(m[1]);
      }
    }
  });

  it('a source or sink error about broken content (gzip, zip, SQLite, a server answer) names its cause', () => {
    const content = /gzip|zip|SQLite database|no table|changed since|ingested is not known|shard|items array|hits array|still failing|unpacks|no_space/;
    const missing = throwSites().filter((s) => (s.code === 'SLUICE_E_SOURCE' || s.code === 'SLUICE_E_SINK') && content.test(s.call) && !/because/.test(s.call));
    expect(missing.map((s) => `${s.file}: ${s.call.trim().slice(0, 80)}`)).toEqual([]);
  });
});

describe('hints that fit the failure (real failures)', () => {
  const hintOf = async (p: Promise<unknown>): Promise<{ because: SluiceErrorCause | undefined; hint: string }> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SluiceError);
    return { because: (err as SluiceError).because, hint: (err as SluiceError).hint };
  };

  it('damaged gzip data: broken_gzip, not "check that the file exists"', async () => {
    const { gzipSync } = await import('node:zlib');
    const gz = gzipSync(Buffer.from('{"a":1}\n'.repeat(1000)));
    const damaged = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(40, 0xff), gz.subarray(60)]);
    const read = async (): Promise<void> => {
      for await (const chunk of unitBytes(Readable.from([damaged]), 'x.ndjson.gz')) void chunk;
    };
    const r = await hintOf(read());
    expect(r.because).toBe('broken_gzip');
    expect(r.hint).not.toMatch(/exists/);
  });

  it('a damaged .db.zip: broken_zip; a unit that is no database: not_sqlite', async () => {
    const dir = tempDir('sluice-causes-');
    const zip = join(dir, 'bad.db.zip');
    writeFileSync(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]));
    expect((await hintOf(sqliteUnitFile('bad.db.zip', zip, async () => Readable.from([]), { maxBytes: 1 << 20, dir: join(dir, 't') }))).because).toBe('broken_zip');
    const text = join(dir, 'text.db');
    writeFileSync(text, 'hello, not a database');
    expect((await hintOf(sqliteUnitFile('text.db', text, async () => Readable.from([]), { maxBytes: 1 << 20, dir: join(dir, 't') }))).because).toBe('not_sqlite');
  });

  it('--db naming a file that is no SQLite database: not_a_database, not "check the path"', async () => {
    const dir = tempDir('sluice-causes-');
    const notDb = join(dir, 'notes.txt');
    writeFileSync(notDb, 'these are my notes, not a database\n'.repeat(200));
    expect((await hintOf(Promise.resolve().then(() => openSqliteDatabase(notDb)))).because).toBe('not_a_database');
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, '{"ts":1,"session_id":"s","seq":1,"type":"e"}\n');
    const r = runSluice(['ingest', input, '--db', notDb, '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(CAUSE_HINTS.not_a_database);
    expect(r.stderr).toContain('[SLUICE_E_SINK]');
    expect(r.stderr).not.toMatch(/unexpected failure/);
  });
});
