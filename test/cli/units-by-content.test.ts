import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { loadPostsChunksGenerator, type PostsChunksManifest } from '../helpers/posts-chunks.js';
import { expectedPostsState, sqlitePostsState } from '../helpers/posts-state.js';
import { sqliteLedger } from '../helpers/spool-samples.js';

/** Rows of `table` counted by the sqlite3 shell (an oracle we did not write). */
function shellCount(db: string, table: string): number {
  const r = spawnSync('sqlite3', [db, `SELECT count(*) FROM ${table}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

/**
 * One unit reader for every source: `ingest` and `follow` tell a zip or a SQLite database by its
 * content, as `spool` does, whatever the file is called.
 */
describe('units told by their content, not their name', () => {
  let manifest: PostsChunksManifest;
  let misnamed: string[];
  let work: string;

  beforeAll(async () => {
    const generator = await loadPostsChunksGenerator();
    // Chunk 2 is raw SQLite bytes under the .db.zip name; 0 and 1 are zips.
    manifest = await generator.generatePostsChunks({ dir: tempDir('posts-chunks-'), seed: 16, posts: 60, chunks: 3, deleteRate: 0.1, accountDeletions: 1, notZipped: [2] });
    work = tempDir('ingest-by-content-');
    const names = ['chunk-a.ndjson', 'chunk-b.db.zip', 'chunk-c.json.gz'];
    misnamed = manifest.files.map((f, i) => {
      const path = join(work, names[i] ?? `chunk-${i}`);
      copyFileSync(f.path, path);
      return path;
    });
  });

  it('ingest --profile posts reads a zip named .ndjson, a .db.zip and a SQLite file named .json.gz as rows', () => {
    const db = join(work, 'posts.db');
    const r = runSluice(['ingest', ...misnamed, '--profile', 'posts', '--db', db, '--json', '--no-progress'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(sqlitePostsState(db)).toEqual(expectedPostsState(manifest));
    expect(shellCount(db, 'posts')).toBe(Object.keys(manifest.expected.posts).length);
    // A second run finds every unit done by its cursor: nothing read again.
    const again = runSluice(['ingest', ...misnamed, '--profile', 'posts', '--db', db, '--json', '--no-progress'], { cwd: work });
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as { units_skipped: number; records: number };
    expect(summary.units_skipped).toBe(3);
    expect(summary.records).toBe(0);
  });

  it('ingest sweeps the temp file a killed run left of an unpacked zip (its process is gone), as spool does', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const dir = join(tmpdir(), `sluice-units-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true });
    const left = join(dir, `unit-${gone}-left-by-a-kill.db`);
    writeFileSync(left, 'the rest of a unit unpacked when its run was killed');
    const r = runSluice(['ingest', misnamed[0] ?? '', '--profile', 'posts', '--db', join(work, 'sweep.db'), '--no-progress'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(left)).toBe(false);
  });

  it('a profile that reads JSON units only says the unit is a database, instead of dead-lettering its bytes as lines', () => {
    const db = join(work, 'bridge.db');
    const r = runSluice(['ingest', misnamed[0] ?? '', '--profile', 'bridge', '--db', db, '--no-progress'], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('reads JSON units only');
    expect(readFileSync(db).length).toBeGreaterThan(0);
    expect(shellCount(db, 'events')).toBe(0);
  });

  it('a zip on standard input is refused with a word on what to do, not decoded as lines', () => {
    const db = join(work, 'stdin.db');
    const r = runSluice(['ingest', '-', '--profile', 'posts', '--db', db, '--no-progress'], { cwd: work, input: readFileSync(misnamed[0] ?? '') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('zip data needs a file to be read from, not a stream; give its path');
    expect(r.stderr).toContain("give the file's path instead of piping it");
    expect(r.stderr).not.toContain('not a SQLite database');
  });

  it('spool of a folder tells a zip named .json by its content: FAILED at once with the reason ingest gives, the other units go in', () => {
    const spool = join(work, 'spool');
    mkdirSync(spool);
    copyFileSync(misnamed[0] ?? '', join(spool, 'a-chunk.json'));
    writeFileSync(join(spool, 'b-events.ndjson'), bridgeFile(25, 'sp'));
    const db = join(work, 'spool.db');
    const r = runSluice(['spool', '--from', spool, '--profile', 'bridge', '--into', `sqlite:${db}`, '--max-attempts', '3', '--no-progress'], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a-chunk.json: holds a database or an archive');
    expect(shellCount(db, 'events')).toBe(25);
    const ledger = new Map(sqliteLedger(db).map((l) => [l.key, l]));
    expect(ledger.get('a-chunk.json')?.status).toBe('FAILED');
    expect(ledger.get('a-chunk.json')?.attempts).toBe(1);
    expect(ledger.get('b-events.ndjson')?.status).toBe('COMPLETED');
  });

  it('follow reads a zip and a SQLite file of its pattern once, as rows, whatever they are called', async () => {
    const dir = tempDir('follow-by-content-');
    manifest.files.forEach((f, i) => copyFileSync(f.path, join(dir, `p_2025010${i + 1}.ndjson`)));
    const db = join(dir, 'posts.db');
    const want = Object.keys(manifest.expected.posts).length;
    const child = startSluice(['follow', join(dir, 'p_{YYYYMMDD}.ndjson'), '--profile', 'posts', '--db', db, '--no-progress']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const count = (): number => (existsSync(db) ? shellCount(db, 'posts') : 0);
    const until = Date.now() + 20_000;
    while (Date.now() < until && child.exitCode === null) {
      try {
        if (count() === want) break;
      } catch {
        // the database is being created
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    expect(sqlitePostsState(db)).toEqual(expectedPostsState(manifest));
  }, 60_000);
});
