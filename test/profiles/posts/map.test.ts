import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RowValue } from '../../../src/core/rows/table-spec.js';
import { mapPostRow } from '../../../src/profiles/posts/map.js';
import { ACCOUNT_TOMBSTONES_TABLE, POST_TOMBSTONES_TABLE, POSTS, POSTS_TABLE } from '../../../src/profiles/posts/tables.js';
import { b85encode } from '../../helpers/base85-reference.js';

const DID = 'did:plc:abc';
const NOW = '2026-01-01T00:00:00.000Z';

function vector(n: number, seed: number): string {
  const f = new Float32Array(n).map((_, i) => Math.sin(seed + i));
  return b85encode(deflateSync(Buffer.from(f.buffer)));
}

function run(row: Record<string, unknown>, documents = false) {
  const rows: Array<{ table: number; values: readonly RowValue[] }> = [];
  const warnings: string[] = [];
  const verdict = mapPostRow(row, { row: (table, values) => rows.push({ table, values }), warn: (w) => warnings.push(w) }, NOW, documents);
  return { verdict, rows, warnings };
}

const col = (values: readonly RowValue[], name: string): RowValue => values[POSTS.columns.findIndex((c) => c.name === name)] ?? null;

function create(extra: Record<string, unknown> = {}, inferences: unknown = {}): Record<string, unknown> {
  return {
    at_uri: `at://${DID}/app.bsky.feed.post/r1`,
    did: DID,
    time_us: null,
    raw_post: JSON.stringify({
      message: {
        did: DID,
        kind: 'commit',
        time_us: 1_765_904_456_000_000,
        commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'r1', record: { text: 'hello', createdAt: '2025-12-16T19:00:56+02:00', ...extra } },
      },
      hydrated_metadata: { reply_post: { uri: 'at://root' }, parent_post: { uri: 'at://parent' }, quote_post: null },
    }),
    inferences: JSON.stringify(inferences),
  };
}

describe('posts map: Megastream rows into posts and tombstones', () => {
  it('maps a create: text, createdAt normalised to UTC, thread URIs, event time; vectors as float32 bytes', () => {
    const { verdict, rows, warnings } = run(
      create({}, { text_embeddings: { 'all-MiniLM-L12-v2': vector(384, 1), 'all-MiniLM-L6-v2': vector(384, 2), 'all-mpnet-base-v2': vector(768, 3) } }),
    );
    expect(verdict).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(rows).toHaveLength(1);
    const v = rows[0]?.values ?? [];
    expect(rows[0]?.table).toBe(POSTS_TABLE);
    expect(col(v, 'content')).toBe('hello');
    expect(col(v, 'created_at')).toBe('2025-12-16T17:00:56.000Z');
    expect(col(v, 'time_us')).toBe(1_765_904_456_000_000);
    expect(col(v, 'thread_root_post')).toBe('at://root');
    expect(col(v, 'thread_parent_post')).toBe('at://parent');
    expect(col(v, 'quote_post')).toBeNull();
    const l12 = col(v, 'embedding_l12') as Uint8Array;
    expect(Array.from(new Float32Array(l12.buffer, l12.byteOffset, 384))).toEqual(Array.from(new Float32Array(384).map((_, i) => Math.sin(1 + i))));
    expect(col(v, 'document_json')).toBeNull();
  });

  it('leaves out a vector that is not 384 floats (or not base85, or not zlib) with a warning naming the post', () => {
    const { verdict, rows, warnings } = run(
      create({}, { text_embeddings: { 'all-MiniLM-L12-v2': vector(100, 1), 'all-MiniLM-L6-v2': 'not base85 "quoted"' } }),
    );
    expect(verdict).toBeUndefined();
    expect(col(rows[0]?.values ?? [], 'embedding_l12')).toBeNull();
    expect(col(rows[0]?.values ?? [], 'embedding_l6')).toBeNull();
    expect(warnings).toEqual([
      `at://${DID}/app.bsky.feed.post/r1: all-MiniLM-L12-v2 embedding left out (100 floats, expected 384)`,
      `at://${DID}/app.bsky.feed.post/r1: all-MiniLM-L6-v2 embedding left out (not base85 text)`,
    ]);
  });

  it('leaves out a vector that inflates to more than 384 floats, without inflating all of it', () => {
    const { rows, warnings } = run(create({}, { text_embeddings: { 'all-MiniLM-L12-v2': vector(100_000, 1) } }));
    expect(col(rows[0]?.values ?? [], 'embedding_l12')).toBeNull();
    expect(warnings).toEqual([`at://${DID}/app.bsky.feed.post/r1: all-MiniLM-L12-v2 embedding left out (more than 384 floats)`]);
  });

  it('builds the whole document (UTF-8, vectors included) when the sink needs documents, blobs left empty', () => {
    const { rows } = run(create({ text: 'héllo "q" ✓' }, { text_embeddings: { 'all-MiniLM-L12-v2': vector(384, 1) } }), true);
    const v = rows[0]?.values ?? [];
    expect(col(v, 'embedding_l12')).toBeNull();
    const doc = JSON.parse(Buffer.from(col(v, 'document_json') as Uint8Array).toString('utf8')) as Record<string, unknown>;
    expect(doc.at_uri).toBe(col(v, 'at_uri'));
    expect(doc.content).toBe('héllo "q" ✓');
    expect(doc.indexed_at).toBe(col(v, 'indexed_at'));
    const embeddings = doc.embeddings as Record<string, number[]>;
    expect(Object.keys(embeddings)).toEqual(['all_MiniLM_L12_v2']);
    expect(embeddings.all_MiniLM_L12_v2?.map((x) => Math.fround(x))).toEqual(Array.from(new Float32Array(384).map((_, i) => Math.sin(1 + i))));
  });

  it('keeps images and video (id, mime type, size, aspect ratio), also inside recordWithMedia', () => {
    const image = { image: { $type: 'blob', ref: { $link: 'bafy1' }, mimeType: 'image/jpeg', size: 10 }, aspectRatio: { width: 4, height: 3 } };
    const { rows } = run(create({ text: '', embed: { $type: 'app.bsky.embed.recordWithMedia', media: { $type: 'app.bsky.embed.images', images: [image] } } }));
    expect(col(rows[0]?.values ?? [], 'content')).toBe('');
    expect(JSON.parse(col(rows[0]?.values ?? [], 'media') as string)).toEqual([{ kind: 'image', id: 'bafy1', mime_type: 'image/jpeg', size: 10, aspect_ratio: '4:3' }]);
  });

  it('turns a delete into a post tombstone and a deleted account into an account tombstone; skips the rest', () => {
    const del = run({ at_uri: `at://${DID}/app.bsky.feed.post/r1`, did: DID, raw_post: JSON.stringify({ message: { did: DID, kind: 'commit', time_us: 2_000_000, commit: { operation: 'delete', collection: 'app.bsky.feed.post', rkey: 'r1' } } }) });
    expect(del.rows).toEqual([{ table: POST_TOMBSTONES_TABLE, values: [`at://${DID}/app.bsky.feed.post/r1`, DID, '1970-01-01T00:00:02.000Z', 2_000_000, 'delete', NOW] }]);
    const gone = run({ at_uri: '', did: DID, raw_post: JSON.stringify({ message: { did: DID, kind: 'account', time_us: 3_000_000, account: { active: false, did: DID, status: 'deleted' } } }) });
    expect(gone.rows).toEqual([{ table: ACCOUNT_TOMBSTONES_TABLE, values: [DID, '1970-01-01T00:00:03.000Z', 3_000_000, NOW] }]);
    const active = run({ at_uri: '', did: DID, raw_post: JSON.stringify({ message: { did: DID, kind: 'account', time_us: 1, account: { active: true, did: DID } } }) });
    expect(active).toMatchObject({ verdict: { skip: true }, rows: [] });
    const identity = run({ at_uri: '', did: DID, raw_post: JSON.stringify({ message: { did: DID, kind: 'identity', time_us: 1, identity: { did: DID } } }) });
    expect(identity.verdict).toEqual({ skip: true });
    const like = run({ at_uri: 'x', did: DID, raw_post: JSON.stringify({ message: { did: DID, kind: 'commit', time_us: 1, commit: { operation: 'create', collection: 'app.bsky.feed.like' } } }) });
    expect(like.verdict).toEqual({ skip: true });
  });

  it('refuses a raw_post that is not JSON (a bad record, not an exception)', () => {
    expect(run({ at_uri: 'x', did: DID, raw_post: '{"message": {"kind": ' }).verdict).toMatchObject({ bad: expect.stringMatching(/^invalid_json: raw_post/) });
    expect(run({ at_uri: 'x', did: DID, raw_post: '[1]' }).verdict).toEqual({ bad: 'wrong_type: raw_post is not a JSON object' });
  });
});
