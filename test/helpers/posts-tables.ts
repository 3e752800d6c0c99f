import Database from 'better-sqlite3';
import type { TestSchema } from './pg-test-db.js';

/** One row of a posts table, in one shape for SQLite and PostgreSQL. */
export type PostsRow = Record<string, string | number | null | unknown[]>;

/**
 * Every row of the three posts tables, each column but the surrogate `id`, `indexed_at` (the time of
 * the run) and PostgreSQL's generated `content_tsv`: vectors as hex (so byte-equal means equal),
 * `media` parsed (JSON text in SQLite, JSONB in PostgreSQL), rows sorted by their key.
 */
export interface PostsTables {
  posts: PostsRow[];
  post_tombstones: PostsRow[];
  account_tombstones: PostsRow[];
}

const POST_COLUMNS = [
  'at_uri', 'author_did', 'content', 'created_at', 'time_us', 'thread_root_post', 'thread_parent_post',
  'quote_post', 'media', 'embedding_l12', 'embedding_l6',
] as const;
const TOMBSTONE_COLUMNS = ['at_uri', 'author_did', 'deleted_at', 'deleted_time_us', 'reason'] as const;
const ACCOUNT_COLUMNS = ['did', 'deleted_at', 'deleted_time_us'] as const;

/** The posts tables of a SQLite database. */
export function sqlitePostsTables(path: string): PostsTables {
  const db = new Database(path, { readonly: true });
  try {
    const all = (table: string, columns: readonly string[]): Record<string, unknown>[] =>
      db.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).all() as Record<string, unknown>[];
    return normalise({
      posts: all('posts', POST_COLUMNS),
      post_tombstones: all('post_tombstones', TOMBSTONE_COLUMNS),
      account_tombstones: all('account_tombstones', ACCOUNT_COLUMNS),
    });
  } finally {
    db.close();
  }
}

/** The posts tables of a PostgreSQL schema. */
export async function pgPostsTables(pg: TestSchema): Promise<PostsTables> {
  const all = (table: string, columns: readonly string[]): Promise<Record<string, unknown>[]> => pg.query(`SELECT ${columns.join(', ')} FROM ${table}`);
  return normalise({
    posts: await all('posts', POST_COLUMNS),
    post_tombstones: await all('post_tombstones', TOMBSTONE_COLUMNS),
    account_tombstones: await all('account_tombstones', ACCOUNT_COLUMNS),
  });
}

function normalise(raw: Record<keyof PostsTables, Record<string, unknown>[]>): PostsTables {
  const rows = (list: Record<string, unknown>[], key: string): PostsRow[] =>
    list.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, value(k, v)]))).sort((a, b) => compare(String(a[key]), String(b[key])));
  return { posts: rows(raw.posts, 'at_uri'), post_tombstones: rows(raw.post_tombstones, 'at_uri'), account_tombstones: rows(raw.account_tombstones, 'did') };
}

function value(column: string, v: unknown): string | number | null | unknown[] {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (column === 'media') return (typeof v === 'string' ? JSON.parse(v) : v) as unknown[];
  // PostgreSQL's BIGINT arrives as text.
  if (column.endsWith('time_us')) return Number(v);
  return v as string | number;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
