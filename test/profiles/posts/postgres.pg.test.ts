import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { loadPostsChunksGenerator, type PostsChunksManifest } from '../../helpers/posts-chunks.js';
import { pgPostsTables, sqlitePostsTables, type PostsTables } from '../../helpers/posts-tables.js';
import { spoolPosts, spoolPostsBoth } from '../../helpers/posts-spool.js';

const ready = await postgresReachable();
const REAL_CHUNKS = join(SHARED_DATA, 'bluesky', 'ingex-megastream');
const realPresent = existsSync(REAL_CHUNKS);
if (!realPresent) {
  if (process.env.CI === 'true') throw new Error(`CI: the shared Megastream samples are missing (${REAL_CHUNKS})`);
  process.stderr.write(`skipping the real Megastream chunks into PostgreSQL: ${REAL_CHUNKS} is missing\n`);
}

const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
});

function schema(): TestSchema {
  const pg = testSchema('t_posts');
  schemas.push(pg);
  return pg;
}

describe.skipIf(!ready)('sluice spool --profile posts into PostgreSQL: the same rows as SQLite (generated chunks)', () => {
  let manifest: PostsChunksManifest;
  let chunks: string;
  let sqlitePath: string;
  let reference: PostsTables;
  let loaded: TestSchema;

  beforeAll(async () => {
    const gen = await loadPostsChunksGenerator();
    chunks = tempDir();
    manifest = await gen.generatePostsChunks({ dir: chunks, seed: 11, posts: 600, chunks: 4, deleteRate: 0.1, accountDeletions: 3, badVectorRate: 0.02, notZipped: [1] });
    sqlitePath = join(tempDir(), 'posts.db');
    await spoolPosts(chunks, `sqlite:${sqlitePath}`);
    reference = sqlitePostsTables(sqlitePath);
  });

  it('every table row for row (vectors byte-equal), as many rows read and counted; a re-run adds nothing', async () => {
    expect(reference.posts).toHaveLength(Object.keys(manifest.expected.posts).length);
    expect(new Set(reference.post_tombstones.map((t) => t.reason))).toEqual(new Set(['delete', 'account_deleted']));
    expect(reference.account_tombstones.length).toBeGreaterThan(0);
    expect(reference.posts.filter((p) => p.embedding_l12 === null).length).toBeGreaterThan(0); // bad vectors left out
    loaded = schema();
    const [sqliteRun, pgRun] = await Promise.all([spoolPosts(chunks, `sqlite:${join(tempDir(), 'again.db')}`), spoolPosts(chunks, loaded.url)]);
    expect(pgRun).toMatchObject({ read: sqliteRun.read, bad: 0, units_done: 4 });
    // A delete that changes no tombstone (a repeat, or later than the one kept) is a duplicate in
    // PostgreSQL; SQLite's tombstone upsert has no WHERE, so it counts as written there.
    expect(pgRun.inserted + pgRun.duplicates).toBe(sqliteRun.inserted + sqliteRun.duplicates);
    expect(pgRun.inserted).toBeLessThanOrEqual(sqliteRun.inserted);
    expect(pgRun.inserted).toBeGreaterThan(sqliteRun.inserted - 10);
    const inPg = await pgPostsTables(loaded);
    expect(inPg).toEqual(reference);

    const again = await spoolPosts(chunks, loaded.url);
    expect(again).toMatchObject({ read: 0, inserted: 0, units_done: 0 });
    expect(await pgPostsTables(loaded)).toEqual(inPg);
  });

  it('the newest chunk first, then each older one added late (a run each): the same rows', async () => {
    const pg = schema();
    const spoolDir = join(tempDir(), 'spool');
    mkdirSync(spoolDir);
    for (const f of [...manifest.files].reverse()) {
      copyFileSync(f.path, join(spoolDir, f.name));
      expect(await spoolPosts(spoolDir, pg.url)).toMatchObject({ units_done: 1 });
    }
    expect(await pgPostsTables(pg)).toEqual(reference);
  });

  it('content search: the simple-config tsvector finds the posts FTS5 finds', async () => {
    const words = new Map<string, number>();
    for (const p of reference.posts) {
      for (const w of String(p.content).toLowerCase().split(/[^a-z]+/)) if (w.length >= 4) words.set(w, (words.get(w) ?? 0) + 1);
    }
    const common = [...words].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([w]) => w);
    expect(common).toHaveLength(4);
    const db = new Database(sqlitePath, { readonly: true });
    try {
      for (const query of [...common, `${common[0]} ${common[1]}`]) {
        const fts = db
          .prepare('SELECT p.at_uri FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid WHERE posts_fts MATCH ?')
          .all(query.split(' ').map((w) => `"${w}"`).join(' ')) as { at_uri: string }[];
        const pg = await loaded.query<{ at_uri: string }>("SELECT at_uri FROM posts WHERE content_tsv @@ plainto_tsquery('simple', $1)", [query]);
        expect(fts.length, query).toBeGreaterThan(0);
        expect(pg.map((r) => r.at_uri).sort(), query).toEqual(fts.map((r) => r.at_uri).sort());
      }
    } finally {
      db.close();
    }
    const index = await loaded.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'posts_content_tsv'", [loaded.name]);
    expect(index[0]?.indexdef).toMatch(/USING gin \(content_tsv\)/);
  });
});

describe.skipIf(!ready || !realPresent)('sluice spool --profile posts into PostgreSQL: the three real Megastream chunks', () => {
  it('10 posts, every row equal to SQLite (vectors byte-equal), the same summary', async () => {
    const pg = schema();
    const sqlitePath = join(tempDir(), 'posts.db');
    const [toSqlite, toPg] = await spoolPostsBoth(REAL_CHUNKS, sqlitePath, pg);
    expect(toPg).toMatchObject({ read: toSqlite.read, inserted: 10, duplicates: toSqlite.duplicates, units_done: 3 });
    const inPg = await pgPostsTables(pg);
    expect(inPg.posts).toHaveLength(10);
    expect(inPg.posts.every((p) => typeof p.embedding_l12 === 'string' && p.embedding_l12.length === 384 * 4 * 2)).toBe(true);
    expect(inPg).toEqual(sqlitePostsTables(sqlitePath));
  });
});
