import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RowChunkBuilder, type EncodedRows } from '../../../src/core/rows/row-chunk.js';
import type { CommitResult, Sink } from '../../../src/core/sink.js';
import { postsProfile } from '../../../src/profiles/posts/index.js';
import { ACCOUNT_TOMBSTONES, ACCOUNT_TOMBSTONES_TABLE, POST_TOMBSTONES, POST_TOMBSTONES_TABLE, POSTS, POSTS_TABLE } from '../../../src/profiles/posts/tables.js';
import { PostgresSink } from '../../../src/sinks/postgres/postgres-sink.js';
import { SqliteSink } from '../../../src/sinks/sqlite/sqlite-sink.js';
import { tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { pgPostsTables, sqlitePostsTables } from '../../helpers/posts-tables.js';

const ready = await postgresReachable();

const T0 = Date.UTC(2025, 8, 25) * 1000;
const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

/** 384 float32 of a seed: a vector whose bytes tell versions apart. */
function vector(seed: number): Uint8Array {
  const f = new Float32Array(384);
  for (let i = 0; i < f.length; i++) f[i] = Math.sin(seed * 7.1 + i) * 0.5;
  return new Uint8Array(f.buffer);
}

interface PostVersion {
  uri: string;
  author: string;
  content: string;
  timeUs: number;
}

function posts(versions: readonly PostVersion[], document?: Uint8Array): EncodedRows {
  const b = new RowChunkBuilder(POSTS_TABLE, POSTS);
  for (const v of versions) {
    b.add([v.uri, v.author, v.content, iso(v.timeUs), v.timeUs, null, null, null, JSON.stringify([{ kind: 'image', id: v.content }]), vector(v.timeUs), vector(-v.timeUs), 'now', document ?? null]);
  }
  return b.take();
}

function deletes(list: ReadonlyArray<{ uri: string; author: string; timeUs: number }>): EncodedRows {
  const b = new RowChunkBuilder(POST_TOMBSTONES_TABLE, POST_TOMBSTONES);
  for (const d of list) b.add([d.uri, d.author, iso(d.timeUs), d.timeUs, 'delete', 'now']);
  return b.take();
}

function accounts(list: ReadonlyArray<{ did: string; timeUs: number }>): EncodedRows {
  const b = new RowChunkBuilder(ACCOUNT_TOMBSTONES_TABLE, ACCOUNT_TOMBSTONES);
  for (const a of list) b.add([a.did, iso(a.timeUs), a.timeUs, 'now']);
  return b.take();
}

/** Every ordering of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe.skipIf(!ready)('PostgresSink upserts (TableSpec.postgresOnConflict): the same tables as SQLite, whatever the order in a batch', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });

  /** A fresh PostgreSQL schema and SQLite file, both with the posts tables. */
  async function pair(replayLimit?: number): Promise<{ pg: TestSchema; pgSink: PostgresSink; sqlitePath: string; sqliteSink: SqliteSink }> {
    const pg = testSchema('t_pgupsert');
    schemas.push(pg);
    const pgSink = new PostgresSink(pg.url, postsProfile, replayLimit);
    const sqlitePath = join(tempDir(), 'posts.db');
    const sqliteSink = new SqliteSink(sqlitePath, postsProfile);
    await pgSink.open();
    await sqliteSink.open();
    return { pg, pgSink, sqlitePath, sqliteSink };
  }

  /** Writes the same batch into both sinks; returns both commit results. */
  async function batch(sinks: readonly Sink[], writes: readonly EncodedRows[]): Promise<CommitResult[]> {
    const out: CommitResult[] = [];
    for (const sink of sinks) {
      for (const rows of writes) await sink.write(rows);
      out.push(await sink.commit([]));
    }
    return out;
  }

  it('versions of a post within one batch, in every order, in one write or several: the latest event wins, the first of equal times', async () => {
    const { pg, pgSink, sqlitePath, sqliteSink } = await pair();
    const author = 'did:plc:versions';
    const base = [
      { content: 'first', timeUs: T0 + 100 },
      { content: 'latest', timeUs: T0 + 300 },
      { content: 'middle', timeUs: T0 + 200 },
      { content: 'latest too', timeUs: T0 + 300 },
    ];
    // One post per ordering of its four versions.
    const orders = permutations(base).map((versions, i) => versions.map((v) => ({ ...v, uri: `at://${author}/app.bsky.feed.post/p${i}`, author })));
    const flat = orders.flat();
    const [toPg, toSqlite] = await batch([pgSink, sqliteSink], [posts(flat.slice(0, 40)), posts(flat.slice(40))]);
    expect(toPg).toEqual(toSqlite);
    const inPg = await pgPostsTables(pg);
    expect(inPg).toEqual(sqlitePostsTables(sqlitePath));
    expect(inPg.posts).toHaveLength(24);
    // Where 'latest' came before 'latest too', it stayed; else the other did.
    for (const [i, versions] of orders.entries()) {
      const first = versions.find((v) => v.timeUs === T0 + 300)?.content;
      expect(inPg.posts.find((p) => p.at_uri === `at://${author}/app.bsky.feed.post/p${i}`)?.content).toBe(first);
    }
    // The same batch again, versions as one write each: nothing changes, everything is a duplicate.
    const [again, sqliteAgain] = await batch([pgSink, sqliteSink], flat.map((v) => posts([v])));
    expect(again).toEqual({ written: 0, duplicates: flat.length });
    expect(sqliteAgain).toEqual(again);
    expect(await pgPostsTables(pg)).toEqual(inPg);
    await pgSink.close();
    await sqliteSink.close();
  });

  it('posts, their deletes and account deletions in one batch, in any table order, as SQLite has them', async () => {
    const gone = 'did:plc:gone';
    const kept = 'did:plc:kept';
    const uri = (who: string, n: number): string => `at://${who}/app.bsky.feed.post/${n}`;
    const postRows = posts([
      { uri: uri(gone, 1), author: gone, content: 'before the account went', timeUs: T0 + 100 },
      { uri: uri(gone, 2), author: gone, content: 'after it went (kept)', timeUs: T0 + 900 },
      { uri: uri(gone, 3), author: gone, content: 'deleted by its author, then by the account', timeUs: T0 + 50 },
      { uri: uri(gone, 4), author: gone, content: 'deleted by the account, then by its author', timeUs: T0 + 10 },
      { uri: uri(kept, 1), author: kept, content: 'deleted twice', timeUs: T0 + 100 },
      { uri: uri(kept, 2), author: kept, content: 'alive', timeUs: T0 + 100 },
      { uri: uri(kept, 2), author: kept, content: 'alive, edited', timeUs: T0 + 700 },
    ]);
    const deleteRows = deletes([
      { uri: uri(kept, 1), author: kept, timeUs: T0 + 600 },
      { uri: uri(kept, 1), author: kept, timeUs: T0 + 400 },
      { uri: uri(gone, 3), author: gone, timeUs: T0 + 60 },
      { uri: uri(gone, 4), author: gone, timeUs: T0 + 800 },
      { uri: uri(kept, 9), author: kept, timeUs: T0 + 10 }, // never created
    ]);
    const accountRows = accounts([
      // The earlier deletion first: the later one re-times the account's tombstones.
      { did: gone, timeUs: T0 + 300 },
      { did: gone, timeUs: T0 + 500 },
    ]);
    const results = [];
    for (const writes of permutations([postRows, deleteRows, accountRows])) {
      const { pg, pgSink, sqlitePath, sqliteSink } = await pair();
      const [toPg, toSqlite] = await batch([pgSink, sqliteSink], writes);
      const inPg = await pgPostsTables(pg);
      expect(inPg).toEqual(sqlitePostsTables(sqlitePath));
      expect(toPg?.written).toBeGreaterThan(0);
      expect((toPg?.written ?? 0) + (toPg?.duplicates ?? 0)).toBe((toSqlite?.written ?? 0) + (toSqlite?.duplicates ?? 0));
      results.push(inPg);
      await pgSink.close();
      await sqliteSink.close();
    }
    // Every order ends the same.
    for (const r of results) expect(r).toEqual(results[0]);
    const end = results[0];
    expect(end?.posts.map((p) => [p.at_uri, p.content])).toEqual([
      [uri(gone, 2), 'after it went (kept)'],
      [uri(kept, 2), 'alive, edited'],
    ]);
    expect(end?.post_tombstones.map((t) => [t.at_uri, t.reason, t.deleted_time_us])).toEqual([
      [uri(gone, 1), 'account_deleted', T0 + 500],
      [uri(gone, 3), 'delete', T0 + 60],
      [uri(gone, 4), 'delete', T0 + 800],
      [uri(kept, 1), 'delete', T0 + 400],
      [uri(kept, 9), 'delete', T0 + 10],
    ]);
    expect(end?.account_tombstones).toEqual([{ did: gone, deleted_at: iso(T0 + 500), deleted_time_us: T0 + 500 }]);
  });

  it('straight COPY: a transient column is not sent, a post its tombstone keeps out counts as a duplicate', async () => {
    const { pg, pgSink, sqlitePath, sqliteSink } = await pair();
    const author = 'did:plc:straight';
    const tombstoned = `at://${author}/app.bsky.feed.post/t`;
    expect(await batch([pgSink, sqliteSink], [deletes([{ uri: tombstoned, author, timeUs: T0 + 500 }])])).toEqual([
      { written: 1, duplicates: 0 },
      { written: 1, duplicates: 0 },
    ]);
    // No duplicate key: this batch goes straight into the tables (document_json is Elasticsearch's only).
    const many = Array.from({ length: 300 }, (_, i) => ({ uri: `at://${author}/app.bsky.feed.post/${i}`, author, content: `post ${i}`, timeUs: T0 + i }));
    const rows = posts([...many, { uri: tombstoned, author, content: 'deleted before it came', timeUs: T0 + 1 }], new TextEncoder().encode('{"a":1}'));
    const [toPg, toSqlite] = await batch([pgSink, sqliteSink], [rows]);
    expect(toPg).toEqual({ written: 300, duplicates: 1 });
    expect(toSqlite).toEqual(toPg);
    expect(await pgPostsTables(pg)).toEqual(sqlitePostsTables(sqlitePath));
    const columns = await pg.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'posts'`,
      [pg.name],
    );
    expect(columns.map((c) => c.column_name)).not.toContain('document_json');
    await pgSink.close();
    await sqliteSink.close();
  });

  it('two writers on one schema take turns: a tombstone committed while a post is in another batch still deletes it', async () => {
    const pg = testSchema('t_pgupsert');
    schemas.push(pg);
    const first = new PostgresSink(pg.url, postsProfile);
    const second = new PostgresSink(pg.url, postsProfile);
    await first.open();
    await second.open();
    const author = 'did:plc:twowriters';
    const uri = `at://${author}/app.bsky.feed.post/raced`;
    await first.write(posts([{ uri, author, content: 'created by one worker', timeUs: T0 + 100 }]));
    await new Promise((r) => setTimeout(r, 200)); // the row is in, uncommitted
    let settled = false;
    const other = (async () => {
      await second.write(deletes([{ uri, author, timeUs: T0 + 200 }]));
      return second.commit([]);
    })().finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false); // waits for the first batch
    expect(await first.commit([])).toEqual({ written: 1, duplicates: 0 });
    expect(await other).toEqual({ written: 1, duplicates: 0 });
    const end = await pgPostsTables(pg);
    expect(end.posts).toEqual([]);
    expect(end.post_tombstones.map((t) => [t.at_uri, t.reason])).toEqual([[uri, 'delete']]);
    await first.close();
    await second.close();
  });

  it('a batch that outgrows a replay segment part way goes through staging from there and still ends as SQLite', async () => {
    const { pg, pgSink, sqlitePath, sqliteSink } = await pair(40_000);
    const author = 'did:plc:segments';
    const versions = Array.from({ length: 120 }, (_, i) => ({ uri: `at://${author}/app.bsky.feed.post/${i % 80}`, author, content: `v${i}`, timeUs: T0 + ((i * 37) % 101) }));
    const writes = Array.from({ length: 12 }, (_, i) => posts(versions.slice(i * 10, i * 10 + 10)));
    const [toPg, toSqlite] = await batch([pgSink, sqliteSink], writes);
    expect(toPg).toEqual(toSqlite);
    expect(await pgPostsTables(pg)).toEqual(sqlitePostsTables(sqlitePath));
    expect((await pg.query<{ n: string }>('SELECT count(*) AS n FROM posts'))[0]?.n).toBe('80');
    await pgSink.close();
    await sqliteSink.close();
  });
});
