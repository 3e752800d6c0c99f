import { rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.js';
import { POSTS_SQLITE_MIGRATIONS } from '../../../src/profiles/posts/schema.js';
import { nearestPosts } from '../../../src/profiles/posts/similar.js';
import { planSplit } from '../../../src/profiles/posts/similar-threads.js';
import type { Hit } from '../../../src/profiles/posts/similar-topk.js';
import { tempDir } from '../../helpers/cli.js';

// The threaded scan runs dist/profiles/posts/similar-worker.js: `npm test` builds dist/ first.
const DIMS = 384;
const POSTS = 3_000;
const AUTHORS = ['did:plc:a', 'did:plc:b', 'did:plc:c'];

/** A deterministic pseudo-random source (an LCG), so a failure replays. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function blob(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * Vectors that stress ordering: many exact duplicates and doubled copies (equal similarity, so only the
 * id decides), zero vectors, NULLs and a stray short BLOB, spread over both halves of the id range.
 */
function vectorFor(i: number, random: () => number, shared: readonly Float32Array[]): Buffer | null {
  if (i % 97 === 5) return null;
  if (i % 89 === 3) return blob(new Float32Array(DIMS));
  if (i % 211 === 7) return Buffer.alloc(100, 1);
  const base = shared[i % shared.length] as Float32Array;
  if (i % 5 === 0) return blob(base);
  if (i % 5 === 1) return blob(base.map((x) => x * 2));
  return blob(Float32Array.from({ length: DIMS }, random));
}

let dir: string;
let file: string;
let db: Database.Database;
let query: Float32Array;
const SELF = 42;

beforeAll(() => {
  dir = tempDir('sluice-posts-similar-');
  file = join(dir, 'posts.db');
  const conn = new Database(file);
  conn.pragma('journal_mode = WAL');
  for (const m of POSTS_SQLITE_MIGRATIONS) conn.transaction(() => m.up(conn))();
  const random = lcg(7);
  const shared = [0, 1, 2].map(() => Float32Array.from({ length: DIMS }, random));
  const insert = conn.prepare(`INSERT INTO posts (id, at_uri, author_did, content, time_us, embedding_l12, embedding_l6, indexed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, '2025-01-01T00:00:00.000Z')`);
  conn.transaction(() => {
    for (let i = 1; i <= POSTS; i++) {
      // Gaps in the ids (every 13th skipped) keep the split point off a dense grid.
      if (i % 13 === 0) continue;
      const author = AUTHORS[i % AUTHORS.length] as string;
      insert.run(i, `at://${author}/app.bsky.feed.post/${i}`, author, `post ${i}`, i, vectorFor(i, random, shared), vectorFor(i + 1, random, shared));
    }
  })();
  conn.close();
  db = new Database(file, { readonly: true });
  const self = db.prepare('SELECT embedding_l12 FROM posts WHERE id = ?').pluck().get(SELF) as Buffer;
  query = new Float32Array(self.buffer.slice(self.byteOffset, self.byteOffset + self.byteLength));
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A reference: every row read plainly, scored by the same formula, sorted by rank, cut to k. */
function oracle(conn: Database.Database, column: string, k: number | undefined, author?: string): Hit[] {
  let qq = 0;
  for (let i = 0; i < DIMS; i++) qq += (query[i] as number) * (query[i] as number);
  const hits: Hit[] = [];
  const rows = conn.prepare(`SELECT id, author_did, ${column} FROM posts`).raw(true).all() as [number, string, unknown][];
  for (const [id, who, value] of rows) {
    if (id === SELF || (author !== undefined && who !== author)) continue;
    if (!(value instanceof Uint8Array) || value.byteLength !== DIMS * 4) continue;
    const v = new Float32Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
    let dot = 0;
    let vv = 0;
    for (let i = 0; i < DIMS; i++) {
      dot += (query[i] as number) * (v[i] as number);
      vv += (v[i] as number) * (v[i] as number);
    }
    if (vv !== 0) hits.push({ id, similarity: dot / (Math.sqrt(qq) * Math.sqrt(vv)) });
  }
  hits.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
  return k === undefined ? hits : hits.slice(0, k);
}

const KS = [0, 1, 10, 250, undefined];
/** Small ranges, so both threads claim several in a 3,000-id table; the thread joins before claims start. */
const THREADED = { threadMinRows: 1, rangeIds: 64, waitForThread: true };

describe('similar: scan split over a scan thread', () => {
  it('splits only a large enough span, read in chunks, of a file', () => {
    const plan = { column: 'embedding_l12', query, selfId: SELF, k: 10, author: undefined };
    expect(planSplit(db, plan)).toBeUndefined(); // 3,000 ids: under the default threshold
    expect(planSplit(db, plan, 1, { rangeIds: 64 })).toEqual({ file, ranges: { low: 1, span: 64, count: Math.ceil(POSTS / 64) } });
    expect(planSplit(db, { ...plan, author: 'did:plc:b' }, 1)).toBeUndefined(); // an author's posts: row by row
    const memory = new Database(':memory:');
    try {
      memory.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, author_did TEXT, embedding_l12 BLOB)');
      expect(planSplit(memory, plan, 1)).toBeUndefined();
    } finally {
      memory.close();
    }
  });

  it('matches a plain reference exactly, threaded or not: hits, similarities, tie order', () => {
    for (const column of ['embedding_l12', 'embedding_l6']) {
      for (const k of KS) {
        const expected = oracle(db, column, k);
        expect(nearestPosts(db, column, query, SELF, k, undefined, { threadMinRows: Infinity }), `${column} k=${k}`).toEqual(expected);
        expect(nearestPosts(db, column, query, SELF, k, undefined, THREADED), `${column} k=${k} threaded`).toEqual(expected);
      }
      for (const k of KS) {
        expect(nearestPosts(db, column, query, SELF, k, 'did:plc:b'), `${column} author k=${k}`).toEqual(oracle(db, column, k, 'did:plc:b'));
      }
    }
  });

  it('the reference has ties across the id span, and skips self, NULL, zero and short vectors', () => {
    const all = oracle(db, 'embedding_l12', undefined);
    const ties = all.filter((h, i) => h.similarity === all[i - 1]?.similarity || h.similarity === all[i + 1]?.similarity);
    expect(ties.some((h) => h.id < 500) && ties.some((h) => h.id > 2_500)).toBe(true);
    const ids = new Set(all.map((h) => h.id));
    for (const skipped of [SELF, 5 * 97 + 5, 3 * 89 + 3, 211 + 7]) expect(ids.has(skipped)).toBe(false);
  });

  it('reads a UTF-16 database row by row (group_concat would transcode its vectors)', () => {
    const path = join(dir, 'utf16.db');
    const conn = new Database(path);
    try {
      conn.pragma("encoding = 'UTF-16le'");
      conn.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, author_did TEXT, embedding_l12 BLOB)');
      const rows = db.prepare('SELECT id, author_did, embedding_l12 FROM posts WHERE id <= 400').raw(true).all() as unknown[][];
      const insert = conn.prepare('INSERT INTO posts VALUES (?, ?, ?)');
      for (const r of rows) insert.run(...r);
      expect(planSplit(conn, { column: 'embedding_l12', query, selfId: SELF, k: 5, author: undefined }, 1)).toBeUndefined();
      const few = oracle(db, 'embedding_l12', undefined).filter((h) => h.id <= 400);
      expect(nearestPosts(conn, 'embedding_l12', query, SELF, undefined, undefined, { threadMinRows: 1 })).toEqual(few);
    } finally {
      conn.close();
    }
  });

  it("a scan thread's failure is a clear report error", () => {
    const doomed = new Database(join(dir, 'doomed.db'));
    doomed.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, author_did TEXT, embedding_l12 BLOB)');
    doomed.prepare('INSERT INTO posts (id, embedding_l12) VALUES (1, ?), (2, ?)').run(blob(query), blob(query));
    // The thread opens the file by name; once it is gone only this connection can still read it.
    unlinkSync(join(dir, 'doomed.db'));
    try {
      let caught: unknown;
      try {
        nearestPosts(doomed, 'embedding_l12', query, 1, 10, undefined, THREADED);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SluiceError);
      expect((caught as SluiceError).code).toBe('SLUICE_E_REPORT');
      expect((caught as SluiceError).message).toMatch(/similarity scan thread failed: .*unable to open database file/);
    } finally {
      doomed.close();
    }
  });
});
