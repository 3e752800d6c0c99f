import { Client } from '@elastic/elasticsearch';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../helpers/cli.js';
import { startEsContractServer, type EsContractServer } from '../helpers/es-server/es-contract-server.js';

let es: EsContractServer;
beforeAll(async () => {
  es = await startEsContractServer();
});
afterAll(async () => {
  await es?.stop();
});

const DID = 'did:plc:versionsauthor0000000000';
const URI = `at://${DID}/app.bsky.feed.post/3lversions22`;
const T0 = Date.UTC(2025, 8, 25) * 1000;

type Event = Record<string, unknown>;

const commit = (operation: 'create' | 'update', timeUs: number, text: string): Event => ({
  did: DID,
  kind: 'commit',
  time_us: timeUs,
  commit: { operation, collection: 'app.bsky.feed.post', rkey: '3lversions22', record: { $type: 'app.bsky.feed.post', createdAt: new Date(T0 / 1000).toISOString(), text } },
});

/** A chunk (plain SQLite, the older `posts` layout) with one row per event (`raw_post.message`). */
function writeChunk(dir: string, name: string, ...messages: Event[]): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec('CREATE TABLE posts (at_uri TEXT, did TEXT, raw_post TEXT, inferences TEXT)');
  const insert = db.prepare('INSERT INTO posts VALUES (?, ?, ?, NULL)');
  for (const message of messages) insert.run(message.kind === 'commit' ? URI : null, DID, JSON.stringify({ message }));
  db.close();
  return path;
}

const esRun = (dir: string, spool: string): ReturnType<typeof runSluice> =>
  runSluice(['spool', '--profile', 'posts', '--from', spool, '--state', join(dir, 'es-state.db'), '--no-progress', '--json'], {
    cwd: dir,
    env: { ELASTICSEARCH_URL: es.url },
  });

function sqliteContent(db: string): string[] {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT content FROM posts').all() as { content: string }[]).map((r) => r.content);
  } finally {
    d.close();
  }
}

async function esContent(): Promise<string[]> {
  return (await es.dump('posts_v1')).map((d) => (d._source as { content: string }).content);
}

describe('sluice spool --profile posts into Elasticsearch: order and redone work', () => {
  for (const order of ['update chunk first', 'create chunk first'] as const) {
    it(`the later version of a post wins, ${order}: SQLite and Elasticsearch both hold the update`, async () => {
      const dir = tempDir();
      const spool = join(dir, 'spool');
      const staging = join(dir, 'staging');
      mkdirSync(spool);
      mkdirSync(staging);
      const create = (): string => writeChunk(spool, 'mega_jetstream_20250925_000000.db', commit('create', T0 + 1_000_000, 'first words'));
      const update = (): string => writeChunk(spool, 'mega_jetstream_20250925_000500.db', commit('update', T0 + 301_000_000, 'edited words'));
      await es.clear();
      const stale: number[] = [];
      for (const add of order === 'update chunk first' ? [update, create] : [create, update]) {
        add();
        const s = runSluice(['spool', '--profile', 'posts', '--from', spool, '--into', `sqlite:${join(dir, 'p.db')}`, '--no-progress'], { cwd: dir });
        expect(s.code, s.stderr).toBe(0);
        const e = esRun(dir, spool);
        expect(e.code, e.stderr).toBe(0);
        stale.push((JSON.parse(e.stdout) as { outcomes: { stale: number } }).outcomes.stale);
      }
      expect(sqliteContent(join(dir, 'p.db'))).toEqual(['edited words']);
      expect(await esContent()).toEqual(['edited words']);
      // The create processed after the update was refused by its older version, and counted.
      expect(stale).toEqual(order === 'update chunk first' ? [0, 1] : [0, 0]);
    });
  }

  it('an account deletion redone after a kill (its tombstone applied, the deletes of its posts not) deletes the posts', async () => {
    const dir = tempDir();
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    await es.clear();
    writeChunk(spool, 'mega_jetstream_20250925_000000.db', commit('create', T0 + 1_000_000, 'soon gone'));
    expect(esRun(dir, spool).code).toBe(0);
    expect(await esContent()).toEqual(['soon gone']);
    const deletedUs = T0 + 400_000_000;
    // What a run killed between two bulk requests leaves: the account's tombstone, its post still there.
    const client = new Client({ node: es.url });
    try {
      await client.index({
        index: 'post_tombstones',
        id: `at://${DID}`,
        routing: DID,
        refresh: true,
        document: { at_uri: `at://${DID}`, author_did: DID, kind: 'account', reason: 'account_deleted', deleted_at: new Date(deletedUs / 1000).toISOString(), deleted_time_us: deletedUs, indexed_at: new Date().toISOString() },
      });
    } finally {
      await client.close();
    }
    writeChunk(spool, 'mega_jetstream_20250925_000500.db', { did: DID, kind: 'account', time_us: deletedUs, account: { did: DID, active: false, status: 'deleted' } });
    const e = esRun(dir, spool);
    expect(e.code, e.stderr).toBe(0);
    expect(await esContent()).toEqual([]);
    const tombstones = (await es.dump('post_tombstones_v1')).map((d) => d._source as { at_uri: string; reason: string; deleted_time_us: number });
    expect(tombstones.find((t) => t.at_uri === URI)).toMatchObject({ reason: 'account_deleted', deleted_time_us: deletedUs });
  });
});
