import { Client } from '@elastic/elasticsearch';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';
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

const commit = (operation: 'create' | 'update' | 'delete', timeUs: number, text: string): Event => ({
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

describe('sluice spool --profile posts --no-create-indexes into indexes megastream_ingest made (dynamic mappings)', () => {
  const textWithKeyword = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } as const;
  const OTHER = 'did:plc:otherauthor00000000000000';

  it('writes into them, and an account deletion finds that author posts by their keyword sub-fields and created_at', async () => {
    const dir = tempDir();
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    await es.clear();
    const foreignUri = `at://${DID}/app.bsky.feed.post/3lforeign222`;
    const client = new Client({ node: es.url });
    try {
      await client.indices.create({
        index: 'posts',
        mappings: { properties: { at_uri: textWithKeyword, author_did: textWithKeyword, content: textWithKeyword, created_at: { type: 'date' }, indexed_at: { type: 'date' } } },
      });
      await client.indices.create({
        index: 'post_tombstones',
        mappings: { properties: { at_uri: textWithKeyword, author_did: textWithKeyword, deleted_at: { type: 'date' }, indexed_at: { type: 'date' } } },
      });
      // A post as megastream_ingest indexed it: no time_us.
      await client.index({
        index: 'posts',
        id: foreignUri,
        routing: DID,
        refresh: true,
        document: { at_uri: foreignUri, author_did: DID, content: 'from megastream_ingest', created_at: new Date(T0 / 1000 - 60_000).toISOString(), indexed_at: new Date().toISOString() },
      });
      const deletedUs = T0 + 400_000_000;
      const other = { ...commit('create', T0 + 500_000_000, 'a post by someone else'), did: OTHER };
      writeChunk(spool, 'mega_jetstream_20250925_000500.db', { did: DID, kind: 'account', time_us: deletedUs, account: { did: DID, active: false, status: 'deleted' } });
      writeChunk(spool, 'mega_jetstream_20250925_001000.db', other);
      const e = runSluice(['spool', '--profile', 'posts', '--from', spool, '--state', join(dir, 'es-state.db'), '--no-create-indexes', '--no-progress'], {
        cwd: dir,
        env: { ELASTICSEARCH_URL: es.url },
      });
      expect(e.code, e.stderr).toBe(0);
      expect(e.stderr).not.toMatch(/warning/);
      expect((await es.dump('posts')).map((d) => (d._source as { content: string }).content)).toEqual(['a post by someone else']);
      const tombstones = (await es.dump('post_tombstones')).map((d) => d._source as { at_uri: string; reason: string; kind: string });
      expect(tombstones.map((t) => [t.at_uri, t.kind, t.reason]).sort()).toEqual([
        [`at://${DID}`, 'account', 'account_deleted'],
        [foreignUri, 'post', 'account_deleted'],
      ]);
      // The fields Sluice searches on were added to the mappings; nothing else was created.
      const mapping = await client.indices.getMapping({ index: 'posts' });
      expect(mapping.posts?.mappings.properties?.time_us).toEqual({ type: 'long' });
      expect(Object.keys(await client.indices.get({ index: '*' })).sort()).toEqual(['post_tombstones', 'posts']);
    } finally {
      await client.close();
    }
  });

  it('says which field it cannot search on when a mapping has no keyword to use', async () => {
    const dir = tempDir();
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    await es.clear();
    const client = new Client({ node: es.url });
    try {
      await client.indices.create({ index: 'posts', mappings: { properties: { author_did: { type: 'text' } } } });
      await client.indices.create({ index: 'post_tombstones' });
    } finally {
      await client.close();
    }
    writeChunk(spool, 'mega_jetstream_20250925_000000.db', commit('create', T0 + 1_000_000, 'still written'));
    const e = runSluice(['spool', '--profile', 'posts', '--from', spool, '--state', join(dir, 'es-state.db'), '--no-create-indexes', '--no-progress'], {
      cwd: dir,
      env: { ELASTICSEARCH_URL: es.url },
    });
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/warning: Elasticsearch index posts maps author_did as text, not keyword, and has no keyword sub-field/);
    expect((await es.dump('posts')).map((d) => (d._source as { content: string }).content)).toEqual(['still written']);
  });
});

describe('sluice spool --profile posts: two writers on one cluster', () => {
  /**
   * Writer 1 checks the tombstones of a create, then its bulk request is held by the server while
   * writer 2 runs whole (`second`), then it lands: the post must still end deleted and tombstoned.
   * The hold ends when the test lets it go, not after a time: on a busy machine writer 2 once took
   * longer than a 2.5 s hold, and writer 1's create landed first.
   */
  async function race(second: Event): Promise<{ posts: string[]; tombstones: Array<{ at_uri: string; reason: string }> }> {
    const dir = tempDir();
    const [one, two] = [join(dir, 'one'), join(dir, 'two')];
    mkdirSync(one);
    mkdirSync(two);
    await es.clear();
    writeChunk(one, 'mega_jetstream_20250925_000000.db', commit('create', T0 + 1_000_000, 'raced'));
    writeChunk(two, 'mega_jetstream_20250925_000000.db', second);
    await es.setFaults({ holdMs: { ms: 60_000, times: 1 } });
    const first = startSluice(['spool', '--profile', 'posts', '--from', one, '--state', join(dir, 'one.db'), '--no-progress'], {
      cwd: dir,
      env: { ELASTICSEARCH_URL: es.url },
    });
    let stderr = '';
    first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while ((await es.faults()).holdMs?.times !== 0) {
        if (Date.now() > deadline) throw new Error(`writer 1 sent no bulk request: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const w2 = runSluice(['spool', '--profile', 'posts', '--from', two, '--state', join(dir, 'two.db'), '--no-progress'], {
        cwd: dir,
        env: { ELASTICSEARCH_URL: es.url },
      });
      expect(w2.code, w2.stderr).toBe(0);
      expect((await es.dump('posts_v1')).length).toBe(0); // writer 1's create is still held
      expect(await es.releaseHeld()).toBe(1);
    } finally {
      await es.releaseHeld(); // a failed check must not leave writer 1's request to land in the next test
    }
    expect(await exited, stderr).toBe(0);
    return {
      posts: await esContent(),
      tombstones: (await es.dump('post_tombstones_v1')).map((d) => d._source as { at_uri: string; reason: string }),
    };
  }

  it("a post's delete written by the other writer while its create was in flight: deleted, tombstoned", async () => {
    const end = await race(commit('delete', T0 + 2_000_000, ''));
    expect(end.posts).toEqual([]);
    expect(end.tombstones.map((t) => [t.at_uri, t.reason])).toEqual([[URI, 'delete']]);
  });

  it("the author's account deleted by the other writer while the create was in flight: deleted, tombstoned", async () => {
    const end = await race({ did: DID, kind: 'account', time_us: T0 + 3_000_000, account: { did: DID, active: false, status: 'deleted' } });
    expect(end.posts).toEqual([]);
    expect(end.tombstones.map((t) => [t.at_uri, t.reason]).sort()).toEqual([
      [`at://${DID}`, 'account_deleted'],
      [URI, 'account_deleted'],
    ]);
  });
});
