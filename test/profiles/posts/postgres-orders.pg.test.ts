import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { spoolPostsBoth } from '../../helpers/posts-spool.js';
import { pgPostsTables, sqlitePostsTables, type PostsTables } from '../../helpers/posts-tables.js';

const ready = await postgresReachable();

const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
});

const X = 'did:plc:versionsauthor0000000000';
const Y = 'did:plc:deletedauthor00000000000';
const T0 = Date.UTC(2025, 8, 25) * 1000;
const at = (s: number): number => T0 + s * 1_000_000;
type Message = Record<string, unknown>;
const post = (did: string, rkey: string, operation: 'create' | 'update', s: number, text: string): Message => ({
  did,
  kind: 'commit',
  time_us: at(s),
  commit: { operation, collection: 'app.bsky.feed.post', rkey, record: { $type: 'app.bsky.feed.post', createdAt: new Date(T0 / 1000).toISOString(), text } },
});
const remove = (did: string, rkey: string, s: number): Message => ({ did, kind: 'commit', time_us: at(s), commit: { operation: 'delete', collection: 'app.bsky.feed.post', rkey } });
const accountDeleted = (did: string, s: number): Message => ({ did, kind: 'account', time_us: at(s), account: { did, active: false, status: 'deleted' } });

/** Four chunks of events (name, messages): versions of a post, two deletes of one, two deletions of an account. */
const EVENT_CHUNKS: ReadonlyArray<[string, Message[]]> = [
  ['mega_jetstream_20250925_000000.db', [post(X, 'p', 'create', 1, 'first words'), post(X, 'q', 'create', 2, 'soon deleted'), post(Y, 'r', 'create', 1, 'older than the deletion')]],
  ['mega_jetstream_20250925_000500.db', [post(X, 'p', 'update', 3, 'edited words'), remove(X, 'q', 4)]],
  ['mega_jetstream_20250925_001000.db', [accountDeleted(Y, 5)]],
  ['mega_jetstream_20250925_001500.db', [accountDeleted(Y, 6), post(Y, 's', 'create', 7, 'after the deletions'), remove(X, 'q', 8)]],
];

/** A chunk (plain SQLite, the older `posts` layout) with one row per message. */
function writeChunk(dir: string, name: string, messages: readonly Message[]): void {
  const db = new Database(join(dir, name));
  db.exec('CREATE TABLE posts (at_uri TEXT, did TEXT, raw_post TEXT, inferences TEXT)');
  const insert = db.prepare('INSERT INTO posts VALUES (?, ?, ?, NULL)');
  for (const m of messages) {
    const rkey = (m.commit as { rkey?: string } | undefined)?.rkey;
    insert.run(rkey ? `at://${String(m.did)}/app.bsky.feed.post/${rkey}` : null, m.did, JSON.stringify({ message: m }));
  }
  db.close();
}

describe.skipIf(!ready)('sluice spool --profile posts into PostgreSQL: versions and deletes in any order end as in SQLite', () => {
  /** Chunks added to the spool folder a run at a time, in this order, into SQLite and PostgreSQL. */
  async function inOrder(steps: ReadonlyArray<ReadonlyArray<[string, Message[]]>>): Promise<PostsTables> {
    const dir = tempDir();
    const spoolDir = join(dir, 'spool');
    mkdirSync(spoolDir);
    const pg = testSchema('t_posts_order');
    schemas.push(pg);
    for (const step of steps) {
      for (const [name, messages] of step) writeChunk(spoolDir, name, messages);
      await spoolPostsBoth(spoolDir, join(dir, 'posts.db'), pg);
    }
    const inPg = await pgPostsTables(pg);
    expect(inPg).toEqual(sqlitePostsTables(join(dir, 'posts.db')));
    return inPg;
  }

  it('in time order, newest chunk first, updates and the later account deletion first, all in one chunk newest first: one end state', async () => {
    const [c1, c2, c3, c4] = EVENT_CHUNKS as [[string, Message[]], [string, Message[]], [string, Message[]], [string, Message[]]];
    // Each order in its own folder and schema, all at once (they wait mostly on the database).
    const [timeOrder, ...ends] = await Promise.all([
      inOrder([EVENT_CHUNKS]),
      inOrder([[c4], [c3], [c2], [c1]]),
      inOrder([[c2, c4], [c1, c3]]),
      inOrder([[[c1[0], EVENT_CHUNKS.flatMap(([, m]) => m).reverse()]]]),
    ]);
    for (const end of ends) expect(end).toEqual(timeOrder);
    expect(timeOrder.posts.map((p) => [p.at_uri, p.content])).toEqual([
      [`at://${Y}/app.bsky.feed.post/s`, 'after the deletions'],
      [`at://${X}/app.bsky.feed.post/p`, 'edited words'],
    ]);
    expect(timeOrder.post_tombstones.map((t) => [t.at_uri, t.reason, t.deleted_time_us])).toEqual([
      [`at://${Y}/app.bsky.feed.post/r`, 'account_deleted', at(6)],
      [`at://${X}/app.bsky.feed.post/q`, 'delete', at(4)],
    ]);
    expect(timeOrder.account_tombstones.map((a) => [a.did, a.deleted_time_us])).toEqual([[Y, at(6)]]);
  });
});

