import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/core/config/validate.js';
import { SluiceError } from '../../../src/core/errors.js';
import { matchExpression } from '../../../src/profiles/posts/search.js';
import { POSTS_SQLITE_MIGRATIONS } from '../../../src/profiles/posts/schema.js';
import { ReportConfigSchema } from '../../../src/reports/report-config.js';
import { runReport } from '../../../src/jobs/report/run-report.js';
import { tempDir } from '../../helpers/cli.js';
import { parseCsv } from '../../reports/helpers/csv-parse.js';

// The posts profile as the registry will list it once its `reports` are wired in (a no-op after that).
const DIMS = 384;
/** A 384-float vector as the BLOB `posts` stores: the given leading values, zeros after. */
function vec(...lead: number[]): Buffer {
  const f = new Float32Array(DIMS);
  lead.forEach((x, i) => (f[i] = x));
  return Buffer.from(f.buffer);
}

const uri = (who: string, rkey: string) => `at://did:plc:${who}/app.bsky.feed.post/${rkey}`;
const did = (who: string) => `did:plc:${who}`;

interface PostRow {
  who: string;
  rkey: string;
  content: string;
  created: string;
  l12: Buffer | null;
  l6: Buffer | null;
}

// Cosine similarities to a1 (l12 = e0) by hand: b1 = 2·e0 -> 1; a2 = e0+e1 -> 1/√2 = 0.7071;
// a3 = e0+2·e1 -> 1/√5 = 0.4472; b2 = e1 -> 0; b3 = -e0 -> -1; c1 has no l12 vector, c2 a zero one.
// In l6, a1 = e1: a3 (e1) -> 1, b2 (e0+e1) -> 0.7071, b1 (e0) -> 0; the rest have no l6 vector.
const POSTS: readonly PostRow[] = [
  { who: 'alice', rkey: 'a1', content: 'the solar eclipse was amazing', created: '2025-01-01T10:00:00.000Z', l12: vec(1), l6: vec(0, 1) },
  { who: 'alice', rkey: 'a2', content: 'solar panels on the roof', created: '2025-01-01T11:00:00.000Z', l12: vec(1, 1), l6: null },
  { who: 'alice', rkey: 'a3', content: 'eclipse eclipse eclipse solar', created: '2025-01-01T12:00:00.000Z', l12: vec(1, 2), l6: vec(0, 1) },
  { who: 'bob', rkey: 'b1', content: 'send me an e-mail, please', created: '2025-01-02T10:00:00.000Z', l12: vec(2), l6: vec(1) },
  { who: 'bob', rkey: 'b2', content: 'nothing to see', created: '2025-01-02T11:00:00.000Z', l12: vec(0, 1), l6: vec(1, 1) },
  { who: 'bob', rkey: 'b3', content: 'opposite day', created: '2025-01-02T12:00:00.000Z', l12: vec(-1), l6: null },
  { who: 'carol', rkey: 'c1', content: 'no vector here', created: '2025-01-03T10:00:00.000Z', l12: null, l6: vec(0, 0, 1) },
  { who: 'carol', rkey: 'c2', content: 'zero vector\nsecond line', created: '2025-01-03T11:00:00.000Z', l12: vec(), l6: null },
];

let dir: string;
let db: string;

beforeAll(() => {
  dir = tempDir('sluice-posts-reports-');
  db = join(dir, 'posts.db');
  const conn = new Database(db);
  conn.pragma('journal_mode = WAL');
  for (const m of POSTS_SQLITE_MIGRATIONS) conn.transaction(() => m.up(conn))();
  const now = '2025-02-01T00:00:00.000Z';
  const post = conn.prepare(`INSERT INTO posts (at_uri, author_did, content, created_at, time_us, embedding_l12, embedding_l6, indexed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const p of POSTS) post.run(uri(p.who, p.rkey), did(p.who), p.content, p.created, Date.parse(p.created) * 1000, p.l12, p.l6, now);
  const tomb = conn.prepare(`INSERT INTO post_tombstones (at_uri, author_did, deleted_at, deleted_time_us, reason, indexed_at)
    VALUES (?, ?, ?, ?, 'delete', ?)`);
  tomb.run(uri('alice', 'gone'), did('alice'), '2025-01-02T00:00:00.000Z', Date.parse('2025-01-02') * 1000, now);
  tomb.run(uri('erin', 'gone'), did('erin'), '2025-01-03T00:00:00.000Z', Date.parse('2025-01-03') * 1000, now);
  conn
    .prepare('INSERT INTO account_tombstones (did, deleted_at, deleted_time_us, indexed_at) VALUES (?, ?, ?, ?)')
    .run(did('dave'), '2025-01-04T00:00:00.000Z', Date.parse('2025-01-04') * 1000, now);
  conn.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Flags = Partial<Record<'limit' | 'format' | 'q' | 'uri' | 'model' | 'by' | 'since' | 'until' | 'session', string>>;

/** Runs a posts report in-process, as `sluice report NAME --profile posts` does; returns its text. */
async function report(name: string, flags: Flags = {}): Promise<string> {
  const config = validateConfig(ReportConfigSchema, { name, db, profile: 'posts', format: 'csv', ...flags });
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await runReport(config, { stdout, stdoutIsTty: false, notice: () => undefined });
  return text;
}

async function csv(name: string, flags: Flags = {}): Promise<string[][]> {
  return parseCsv(await report(name, flags));
}

async function failure(name: string, flags: Flags): Promise<SluiceError> {
  const err: unknown = await report(name, flags).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SluiceError)) throw new Error(`expected a SluiceError, got ${String(err)}`);
  return err;
}

describe('posts report search', () => {
  it('quotes plain words, and passes FTS5 syntax through', () => {
    expect(matchExpression('solar  eclipse')).toBe('"solar" "eclipse"');
    expect(matchExpression('e-mail https://x')).toBe('"e-mail" "https://x"');
    expect(matchExpression('solar NOT eclipse')).toBe('solar NOT eclipse');
    expect(matchExpression('ecli*')).toBe('ecli*');
  });

  it('finds posts holding every word, best bm25 first, with a snippet', async () => {
    const rows = await csv('search', { q: 'solar eclipse' });
    expect(rows[0]).toEqual(['at_uri', 'author_did', 'created_at', 'rank', 'snippet']);
    // a3 says "eclipse" three times in four words: a better match than a1.
    expect(rows.slice(1).map((r) => r[0])).toEqual([uri('alice', 'a3'), uri('alice', 'a1')]);
    const ranks = rows.slice(1).map((r) => Number(r[3]));
    expect(ranks[0]).toBeLessThan(ranks[1] ?? 0);
    expect(rows[2]?.[4]).toBe('the [solar] [eclipse] was amazing');
  });

  it('searches punctuated words as written, and takes FTS5 operators', async () => {
    expect((await csv('search', { q: 'e-mail' })).slice(1).map((r) => r[0])).toEqual([uri('bob', 'b1')]);
    expect((await csv('search', { q: 'solar NOT eclipse' })).slice(1).map((r) => r[0])).toEqual([uri('alice', 'a2')]);
    expect((await csv('search', { q: 'solar', limit: '1' })).length).toBe(2);
    expect((await csv('search', { q: 'solar', session: did('bob') })).length).toBe(1); // header only
  });

  it('a broken FTS5 query is a usage error that says what to do', async () => {
    const err = await failure('search', { q: 'solar AND' });
    expect(err.code).toBe('SLUICE_E_USAGE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('--q: "solar AND" is not a valid full-text query');
    expect(err.message).toContain('double quotes');
    expect((await failure('search', {})).message).toContain('needs --q TEXT');
  });

  it('writes JSON with rank as a number', async () => {
    const rows = JSON.parse(await report('search', { q: 'eclipse', format: 'json' })) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.at_uri)).toEqual([uri('alice', 'a3'), uri('alice', 'a1')]);
    expect(typeof rows[0]?.rank).toBe('number');
  });
});

describe('posts report similar', () => {
  it('ranks every other stored vector by cosine similarity, exactly', async () => {
    const rows = await csv('similar', { uri: uri('alice', 'a1') });
    expect(rows).toEqual([
      ['at_uri', 'author_did', 'similarity', 'content'],
      [uri('bob', 'b1'), did('bob'), '1', 'send me an e-mail, please'],
      [uri('alice', 'a2'), did('alice'), '0.7071', 'solar panels on the roof'],
      [uri('alice', 'a3'), did('alice'), '0.4472', 'eclipse eclipse eclipse solar'],
      [uri('bob', 'b2'), did('bob'), '0', 'nothing to see'],
      [uri('bob', 'b3'), did('bob'), '-1', 'opposite day'],
    ]);
  });

  it('keeps the top --limit, uses --model, and narrows to one author with --session', async () => {
    expect((await csv('similar', { uri: uri('alice', 'a1'), limit: '2' })).slice(1).map((r) => r[2])).toEqual(['1', '0.7071']);
    const l6 = await csv('similar', { uri: uri('alice', 'a1'), model: 'all_MiniLM_L6_v2' });
    // a3 (1), b2 (0.7071), then b1 and c1, both 0, in id order.
    expect(l6.slice(1).map((r) => [r[0], r[2]])).toEqual([
      [uri('alice', 'a3'), '1'],
      [uri('bob', 'b2'), '0.7071'],
      [uri('bob', 'b1'), '0'],
      [uri('carol', 'c1'), '0'],
    ]);
    const bob = await csv('similar', { uri: uri('alice', 'a1'), session: did('bob') });
    expect(bob.slice(1).map((r) => r[0])).toEqual([uri('bob', 'b1'), uri('bob', 'b2'), uri('bob', 'b3')]);
  });

  it('shows similarity with 4 decimals in a table', async () => {
    const table = await report('similar', { uri: uri('alice', 'a1'), format: 'table', limit: '2' });
    expect(table).toContain('0.7071');
    expect(table).toContain('1.0000');
  });

  it('says what is missing when the post or its vector is', async () => {
    const none = await failure('similar', { uri: uri('zed', 'nope') });
    expect(none.code).toBe('SLUICE_E_USAGE');
    expect(none.message).toContain(`no post ${uri('zed', 'nope')}`);
    const noVector = await failure('similar', { uri: uri('carol', 'c1') });
    expect(noVector.message).toBe(`post ${uri('carol', 'c1')} has no all_MiniLM_L12_v2 vector; it has one of --model all_MiniLM_L6_v2`);
    expect((await failure('similar', { uri: uri('carol', 'c2') })).message).toContain('zero all_MiniLM_L12_v2 vector');
    expect((await failure('similar', {})).message).toContain('needs --uri URI');
    const model = await failure('similar', { uri: uri('alice', 'a1'), model: 'bert' });
    expect(model.message).toBe('--model: expected one of all_MiniLM_L12_v2, all_MiniLM_L6_v2, got "bert"');
    expect((await failure('authors', { model: 'all_MiniLM_L6_v2' })).message).toContain('takes no --model');
  });
});

describe('posts report authors', () => {
  it('counts posts and tombstones per author, most posts first', async () => {
    expect(await csv('authors')).toEqual([
      ['author_did', 'posts', 'first_created_at', 'last_created_at', 'tombstones'],
      [did('alice'), '3', '2025-01-01T10:00:00.000Z', '2025-01-01T12:00:00.000Z', '1'],
      [did('bob'), '3', '2025-01-02T10:00:00.000Z', '2025-01-02T12:00:00.000Z', '0'],
      [did('carol'), '2', '2025-01-03T10:00:00.000Z', '2025-01-03T11:00:00.000Z', '0'],
      [did('erin'), '0', '', '', '1'],
    ]);
  });
});

describe('posts report tombstones', () => {
  it('lists deleted posts and accounts, newest first', async () => {
    expect(await csv('tombstones')).toEqual([
      ['kind', 'deleted_at', 'did', 'at_uri', 'reason'],
      ['account', '2025-01-04T00:00:00.000Z', did('dave'), '', 'account_deleted'],
      ['post', '2025-01-03T00:00:00.000Z', did('erin'), uri('erin', 'gone'), 'delete'],
      ['post', '2025-01-02T00:00:00.000Z', did('alice'), uri('alice', 'gone'), 'delete'],
    ]);
  });

  it('narrows with --by, --since (inclusive) and --until (exclusive)', async () => {
    const kinds = async (flags: Flags) => (await csv('tombstones', flags)).slice(1).map((r) => `${r[0]} ${r[2]}`);
    expect(await kinds({ by: 'post' })).toEqual([`post ${did('erin')}`, `post ${did('alice')}`]);
    expect(await kinds({ by: 'account' })).toEqual([`account ${did('dave')}`]);
    expect(await kinds({ since: '2025-01-03' })).toEqual([`account ${did('dave')}`, `post ${did('erin')}`]);
    expect(await kinds({ until: '2025-01-03' })).toEqual([`post ${did('alice')}`]);
  });
});
