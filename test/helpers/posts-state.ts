import Database from 'better-sqlite3';
import type { EsContractServer } from './es-server/es-contract-server.js';
import type { PostsChunksManifest } from './posts-chunks.js';

/** A post as compared between sinks and the generator's expectation. */
export interface ComparablePost {
  author_did: string;
  content: string;
  created_at: string | null;
  time_us: number;
  thread_root_post: string | null;
  thread_parent_post: string | null;
  quote_post: string | null;
  media: unknown[];
  l12: number[] | null;
  l6: number[] | null;
}

/** What a posts sink holds, in one shape for SQLite, Elasticsearch and the generator's manifest. */
export interface PostsState {
  posts: Record<string, ComparablePost>;
  postTombstones: Record<string, { author_did: string; deleted_at: string; reason: string }>;
  accountTombstones: Record<string, { deleted_at: string }>;
}

const floats = (b: unknown): number[] | null =>
  b instanceof Uint8Array ? Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), noNegativeZero) : null;

/** JSON has no -0: Elasticsearch documents carry 0 where the float32 was -0. */
export const noNegativeZero = (v: number): number => (v === 0 ? 0 : v);

const sorted = <T>(entries: Array<[string, T]>): Record<string, T> => Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The state of a posts SQLite database. */
export function sqlitePostsState(path: string): PostsState {
  const db = new Database(path, { readonly: true });
  try {
    const posts = db.prepare('SELECT * FROM posts').all() as Array<Record<string, unknown>>;
    const tombs = db.prepare('SELECT * FROM post_tombstones').all() as Array<Record<string, string>>;
    const accounts = db.prepare('SELECT * FROM account_tombstones').all() as Array<Record<string, string>>;
    return {
      posts: sorted(
        posts.map((p) => [
          p.at_uri as string,
          {
            author_did: p.author_did as string,
            content: p.content as string,
            created_at: (p.created_at as string | null) ?? null,
            time_us: p.time_us as number,
            thread_root_post: (p.thread_root_post as string | null) ?? null,
            thread_parent_post: (p.thread_parent_post as string | null) ?? null,
            quote_post: (p.quote_post as string | null) ?? null,
            media: p.media ? (JSON.parse(p.media as string) as unknown[]) : [],
            l12: floats(p.embedding_l12),
            l6: floats(p.embedding_l6),
          },
        ]),
      ),
      postTombstones: sorted(tombs.map((t) => [t.at_uri as string, { author_did: t.author_did as string, deleted_at: t.deleted_at as string, reason: t.reason as string }])),
      accountTombstones: sorted(accounts.map((a) => [a.did as string, { deleted_at: a.deleted_at as string }])),
    };
  } finally {
    db.close();
  }
}

/** The state of the posts indexes of a contract server. */
export async function esPostsState(server: EsContractServer): Promise<PostsState> {
  const posts = await server.dump('posts');
  const tombs = await server.dump('post_tombstones');
  // Elasticsearch keeps float32: the JSON carries 9 significant digits that give the same float32 back.
  const vec = (v: unknown): number[] | null => (Array.isArray(v) ? (v as number[]).map((x) => noNegativeZero(Math.fround(x))) : null);
  return {
    posts: sorted(
      posts.map((d) => {
        const s = d._source as Record<string, unknown>;
        const emb = (s.embeddings ?? {}) as Record<string, unknown>;
        return [
          d._id,
          {
            author_did: s.author_did as string,
            content: s.content as string,
            created_at: (s.created_at as string | null) ?? null,
            time_us: s.time_us as number,
            thread_root_post: (s.thread_root_post as string | undefined) ?? null,
            thread_parent_post: (s.thread_parent_post as string | undefined) ?? null,
            quote_post: (s.quote_post as string | undefined) ?? null,
            media: (s.media as unknown[] | undefined) ?? [],
            l12: vec(emb.all_MiniLM_L12_v2),
            l6: vec(emb.all_MiniLM_L6_v2),
          },
        ];
      }),
    ),
    postTombstones: sorted(
      tombs
        .filter((d) => (d._source as { kind?: string }).kind !== 'account')
        .map((d) => {
          const s = d._source as Record<string, string>;
          return [d._id, { author_did: s.author_did as string, deleted_at: s.deleted_at as string, reason: s.reason as string }];
        }),
    ),
    accountTombstones: sorted(
      tombs
        .filter((d) => (d._source as { kind?: string }).kind === 'account')
        .map((d) => {
          const s = d._source as Record<string, string>;
          return [s.author_did as string, { deleted_at: s.deleted_at as string }];
        }),
    ),
  };
}

/** The generator's expected end state in the same shape. */
export function expectedPostsState(m: PostsChunksManifest): PostsState {
  const e = m.expected;
  return {
    posts: sorted(
      Object.values(e.posts).map((p) => [
        p.at_uri,
        {
          author_did: p.author_did,
          content: p.content,
          created_at: p.created_at,
          time_us: p.time_us,
          thread_root_post: p.thread_root_post,
          thread_parent_post: p.thread_parent_post,
          quote_post: p.quote_post,
          media: p.media,
          l12: p.l12 ?? null,
          l6: p.l6 ?? null,
        },
      ]),
    ),
    postTombstones: sorted(Object.values(e.postTombstones).map((t) => [t.at_uri, { author_did: t.author_did, deleted_at: t.deleted_at, reason: t.reason }])),
    accountTombstones: sorted(Object.values(e.accountTombstones).map((a) => [a.did, { deleted_at: a.deleted_at }])),
  };
}
