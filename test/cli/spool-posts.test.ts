import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEmbedding } from '../helpers/base85-reference.js';
import { runSluice, SHARED_DATA, tempDir } from '../helpers/cli.js';
import { startEsContractServer, type EsContractServer } from '../helpers/es-server/es-contract-server.js';
import { loadPostsChunksGenerator, type PostsChunksManifest } from '../helpers/posts-chunks.js';
import { esPostsState, expectedPostsState, noNegativeZero, sqlitePostsState } from '../helpers/posts-state.js';

const REAL_CHUNKS = join(SHARED_DATA, 'bluesky', 'ingex-megastream');
const REAL_ROWS = join(SHARED_DATA, 'bluesky', 'derived', 'megastream_enriched_posts_rows.ndjson');
const present = existsSync(REAL_CHUNKS) && existsSync(REAL_ROWS);
if (!present && process.env.CI === 'true') throw new Error(`CI: the shared Megastream samples are missing (${REAL_CHUNKS})`);

const API_KEY = 'sluice-test-key';
let es: EsContractServer;

beforeAll(async () => {
  // An 8.x cluster that refuses the client's default compatible-with=9 headers, as a real one does.
  es = await startEsContractServer({ apiKey: API_KEY, version: '8.15.0', strictCompat: true });
});
afterAll(async () => {
  await es?.stop();
});

const esEnv = (): Record<string, string> => ({ ELASTICSEARCH_URL: es.url, ELASTICSEARCH_API_KEY: API_KEY });

/** Every distinct post of the real rows, with its vectors decoded by the reference decoder. */
function realPostsDecodedIndependently(): Map<string, { l12: number[]; l6: number[] }> {
  const out = new Map<string, { l12: number[]; l6: number[] }>();
  for (const line of readFileSync(REAL_ROWS, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { at_uri: string; inferences: { text_embeddings: Record<string, string> } };
    const l12 = decodeEmbedding(row.inferences.text_embeddings['all-MiniLM-L12-v2'] as string);
    const l6 = decodeEmbedding(row.inferences.text_embeddings['all-MiniLM-L6-v2'] as string);
    if (!l12 || !l6) throw new Error(`reference decoder failed on ${row.at_uri}`);
    out.set(row.at_uri, { l12: Array.from(l12, noNegativeZero), l6: Array.from(l6, noNegativeZero) });
  }
  return out;
}

describe.skipIf(!present)('sluice spool --profile posts on the three real Megastream chunks', () => {
  it('gives exactly 10 posts in SQLite, vectors equal to an independent decode', () => {
    const dir = tempDir();
    const r = runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--into', `sqlite:${join(dir, 'posts.db')}`, '--no-progress'], { cwd: dir });
    expect(r.stderr).toContain('10 inserted');
    expect(r.code).toBe(0);
    const state = sqlitePostsState(join(dir, 'posts.db'));
    const reference = realPostsDecodedIndependently();
    expect(Object.keys(state.posts).sort()).toEqual([...reference.keys()].sort());
    expect(reference.size).toBe(10);
    for (const [uri, v] of reference) {
      expect(state.posts[uri]?.l12).toEqual(v.l12);
      expect(state.posts[uri]?.l6).toEqual(v.l6);
      expect(v.l12).toHaveLength(384);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('unit-'))).toEqual([]);
  });

  it('gives exactly 10 documents in Elasticsearch (the same as SQLite), routed by author, state COMPLETED', async () => {
    await es.clear();
    const dir = tempDir();
    const r = runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--no-progress'], { cwd: dir, env: esEnv() });
    expect(r.code, r.stderr).toBe(0);
    const inEs = await esPostsState(es);
    const db = tempDir();
    runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--into', `sqlite:${join(db, 'p.db')}`, '--no-progress']);
    expect(inEs).toEqual(sqlitePostsState(join(db, 'p.db')));
    const docs = await es.dump('posts');
    expect(docs).toHaveLength(10);
    for (const d of docs) expect(d.routing).toBe((d._source as { author_did: string }).author_did);
    expect(existsSync(join(dir, 'sluice-posts-state.db'))).toBe(true);
    // A second run finds every chunk COMPLETED and sends nothing.
    const before = (await es.stats()).bulkRequests;
    const again = runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--no-progress'], { cwd: dir, env: esEnv() });
    expect(again.code).toBe(0);
    expect((await es.stats()).bulkRequests).toBe(before);
  });

  it('counts inserted and duplicates as SQLite does: a post repeated in its chunk is a duplicate', async () => {
    await es.clear();
    const dir = tempDir();
    const toEs = runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--json', '--no-progress'], { cwd: dir, env: esEnv() });
    expect(toEs.code, toEs.stderr).toBe(0);
    const toSqlite = runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--into', `sqlite:${join(dir, 'p.db')}`, '--json', '--no-progress']);
    const [es1, sq] = [toEs, toSqlite].map((r) => JSON.parse(r.stdout.trim()) as { inserted: number; duplicates: number; records: number });
    expect(sq).toMatchObject({ inserted: 10, duplicates: 5, records: 15 });
    expect(es1).toMatchObject({ inserted: sq?.inserted, duplicates: sq?.duplicates, records: sq?.records });
  });

  it('with --ledger in another database than the state file, units are COMPLETED there', async () => {
    await es.clear();
    const dir = tempDir();
    const ledger = `sqlite:${join(dir, 'shared-ledger.db')}`;
    const r = runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--ledger', ledger, '--no-progress'], { cwd: dir, env: esEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(await es.dump('posts')).toHaveLength(10);
    const list = runSluice(['jobs', 'list', '--ledger', ledger, '--json']);
    expect(list.stdout.match(/COMPLETED/g)).toHaveLength(3);
  });

  it('refuses --after move:DIR inside --from (its subfolders are read too)', () => {
    const dir = tempDir();
    const r = runSluice(['spool', '--profile', 'posts', '--from', dir, '--after', `move:${join(dir, 'done')}`, '--into', `sqlite:${join(dir, 'p.db')}`, '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('inside --from');
  });

  it('--dry-run decodes and counts but writes and marks nothing', () => {
    const dir = tempDir();
    const r = runSluice(['spool', '--profile', 'posts', '--from', REAL_CHUNKS, '--dry-run', '--no-progress'], { cwd: dir, env: esEnv() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/posts 15/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('imports a megastream_ingest state file once: files before its cursor are COMPLETED, the one at it is redone', async () => {
    await es.clear();
    const dir = tempDir();
    const chunks = join(dir, 'chunks');
    mkdirSync(chunks);
    for (const f of readdirSync(REAL_CHUNKS).filter((n) => n.endsWith('.db.zip'))) copyFileSync(join(REAL_CHUNKS, f), join(chunks, f));
    const stateFile = join(dir, '.processed_files.json');
    // The cursor is the time in the name of the second chunk (2025-10-21 06:58:08 UTC).
    writeFileSync(stateFile, JSON.stringify({ last_time_us: Date.UTC(2025, 9, 21, 6, 58, 8) * 1000, updated_at: '2025-10-21T07:00:00Z' }));
    const env = { ...esEnv(), SPOOL_STATE_FILE: stateFile, LOCAL_SQLITE_DB_PATH: chunks };
    const r = runSluice(['spool', '--profile', 'posts', '--source', 'local', '--mode', 'once', '--no-progress'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 files before 2025-10-21T06:58:08.000Z marked COMPLETED');
    // Chunk 2 (4 posts) and chunk 3 (3 posts) were ingested; chunk 1 (3 posts) was not.
    expect(await es.dump('posts')).toHaveLength(7);
    expect(readFileSync(stateFile, 'utf8')).toContain('last_time_us');
    const list = runSluice(['jobs', 'list', '--ledger', `sqlite:${stateFile}.sluice.db`, '--json']);
    expect(list.stdout.match(/COMPLETED/g)).toHaveLength(3);
    // Started again: no second import.
    const again = runSluice(['spool', '--profile', 'posts', '--source', 'local', '--mode', 'once', '--no-progress'], { cwd: dir, env });
    expect(again.stderr).not.toContain('imported');
  });
});

describe('sluice spool --profile posts on generated chunks (creates, repeats, deletes, account deletions)', () => {
  let manifest: PostsChunksManifest;
  let chunks: string;

  beforeAll(async () => {
    const gen = await loadPostsChunksGenerator();
    chunks = tempDir();
    manifest = await gen.generatePostsChunks({ dir: chunks, seed: 11, posts: 600, chunks: 4, deleteRate: 0.1, accountDeletions: 3, badVectorRate: 0.02, notZipped: [1] });
  });

  it('ends with exactly the expected posts and tombstones, in SQLite and in Elasticsearch', async () => {
    const expected = expectedPostsState(manifest);
    expect(Object.keys(expected.postTombstones).length).toBeGreaterThan(0);
    expect(Object.keys(expected.accountTombstones).length).toBeGreaterThan(0);
    const dir = tempDir();
    const r = runSluice(['spool', '--profile', 'posts', '--from', chunks, '--into', `sqlite:${join(dir, 'p.db')}`, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(sqlitePostsState(join(dir, 'p.db'))).toEqual(expected);
    await es.clear();
    const e = runSluice(['spool', '--profile', 'posts', '--from', chunks, '--no-progress'], { cwd: dir, env: esEnv() });
    expect(e.code, e.stderr).toBe(0);
    expect(await esPostsState(es)).toEqual(expected);
  });

  it('ends the same when later chunks (deletes, account deletions) are processed before earlier ones', async () => {
    const expected = expectedPostsState(manifest);
    const dir = tempDir();
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    const files = [...manifest.files].reverse();
    await es.clear();
    // Newest chunk first, then each older chunk "added late", one run each.
    for (const f of files) {
      copyFileSync(f.path, join(spool, f.name));
      const s = runSluice(['spool', '--profile', 'posts', '--from', spool, '--into', `sqlite:${join(dir, 'p.db')}`, '--no-progress']);
      expect(s.code, s.stderr).toBe(0);
      const e = runSluice(['spool', '--profile', 'posts', '--from', spool, '--no-progress'], { cwd: dir, env: esEnv() });
      expect(e.code, e.stderr).toBe(0);
    }
    expect(sqlitePostsState(join(dir, 'p.db'))).toEqual(expected);
    expect(await esPostsState(es)).toEqual(expected);
  });
});
