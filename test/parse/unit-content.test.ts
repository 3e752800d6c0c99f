import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bridgeFile, bridgeLine } from '../helpers/bridge-lines.js';
import { runSluiceAsync, tempDir } from '../helpers/cli.js';

/** Session and seq of every stored event, in order: what a load produced, whatever its path. */
function keys(db: string): string[] {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT session_id || \':\' || seq AS k FROM events ORDER BY session_id, seq').all() as { k: string }[]).map((r) => r.k);
  } finally {
    d.close();
  }
}

/**
 * One unit reader for every source: what a unit holds is told by its bytes (gzip by its magic bytes,
 * JSON lines or one array by the first byte), never by its name alone, and `ingest` (files and
 * stdin), `follow` and `spool` read the same bytes the same way. Each test has its own folder: they
 * run at once.
 */
describe.concurrent('units are read by their content, the same way in ingest, stdin and spool', () => {
  const lines = bridgeFile(20, 'c');
  const array = `[\n${Array.from({ length: 20 }, (_, i) => bridgeLine(i, 'c')).join(',\n')}\n]\n`;
  const expected = Array.from({ length: 20 }, (_, i) => `c:${i}`);

  it('gzip without a .gz name, an array under an .ndjson name, lines under a .json name', async () => {
    const dir = tempDir();
    const cases: Array<[string, Buffer | string]> = [
      ['gzip-without-suffix.ndjson', gzipSync(lines)],
      ['array-named.ndjson', array],
      ['lines-named.json', lines],
      ['array-gzipped.log', gzipSync(array)],
    ];
    for (const [name, bytes] of cases) {
      writeFileSync(join(dir, name), bytes);
      const db = join(dir, `${name}.db`);
      const r = await runSluiceAsync(['ingest', join(dir, name), '--db', db, '--no-progress']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(keys(db), name).toEqual(expected);
    }
  });

  it('stdin gzip is decompressed like a file', async () => {
    const dir = tempDir();
    const db = join(dir, 'stdin.db');
    const r = await runSluiceAsync(['ingest', '-', '--db', db, '--no-progress'], { input: gzipSync(lines) });
    expect(r.code, r.stderr).toBe(0);
    expect(keys(db)).toEqual(expected);
  });

  it('a .gz name on bytes that are not gzip is one clear error, in ingest and in spool', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.ndjson.gz'), lines);
    const r = await runSluiceAsync(['ingest', join(dir, 'plain.ndjson.gz'), '--db', join(dir, 'x.db'), '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/named \.gz but is not gzip data/);
  });

  it('spool reads the same bytes into the same rows as ingest', async () => {
    const dir = tempDir();
    const spoolDir = join(dir, 'in');
    mkdirSync(spoolDir);
    writeFileSync(join(spoolDir, '2025-04-01T00-00-00.000Z-a.json'), gzipSync(array));
    const spooled = join(dir, 'spool.db');
    const r = await runSluiceAsync(['spool', '--from', spoolDir, '--into', `sqlite:${spooled}`, '--profile', 'bridge', '--mode', 'once', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(keys(spooled)).toEqual(expected);
  });
});
