import type { PostgresMigration } from '../../db/postgres/postgres-migration.js';

/**
 * A trigger function created in the schema the migration runs in, its tables named with that schema
 * (`@.` in `sql` stands for it): whoever writes, with whatever search path, a trigger reads the tables
 * of its own schema. (`SET search_path FROM CURRENT` on the function would do the same, but measured
 * about twice the time of a 100,000-row insert: every call resets the path and revalidates its plans.)
 */
function inMigrationSchema(sql: string): string {
  return `DO $migration$ BEGIN
  EXECUTE replace($function$${sql}$function$, '@.', quote_ident(current_schema()) || '.');
END $migration$;`;
}

/** BEFORE INSERT on posts: returns NULL (the row is skipped) for a post with a tombstone, or older than its author's account deletion. */
const POSTS_TOMBSTONES_WIN = inMigrationSchema(`CREATE OR REPLACE FUNCTION @.posts_tombstones_win() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  account @.account_tombstones%ROWTYPE;
BEGIN
  IF EXISTS (SELECT 1 FROM @.post_tombstones t WHERE t.at_uri = NEW.at_uri) THEN
    RETURN NULL;
  END IF;
  SELECT * INTO account FROM @.account_tombstones a WHERE a.did = NEW.author_did AND a.deleted_time_us > NEW.time_us;
  IF FOUND THEN
    INSERT INTO @.post_tombstones (at_uri, author_did, deleted_at, deleted_time_us, reason, indexed_at)
      VALUES (NEW.at_uri, NEW.author_did, account.deleted_at, account.deleted_time_us, 'account_deleted', NEW.indexed_at)
      ON CONFLICT (at_uri) DO NOTHING;
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$`);

/** AFTER INSERT on post_tombstones: the post goes. */
const POST_TOMBSTONES_REMOVE_POST = inMigrationSchema(`CREATE OR REPLACE FUNCTION @.post_tombstones_remove_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM @.posts WHERE at_uri = NEW.at_uri;
  RETURN NULL;
END $$`);

/** AFTER INSERT or a later deletion time on account_tombstones: the author's older posts are tombstoned (and so deleted). */
const ACCOUNT_TOMBSTONES_APPLY = inMigrationSchema(`CREATE OR REPLACE FUNCTION @.account_tombstones_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO @.post_tombstones (at_uri, author_did, deleted_at, deleted_time_us, reason, indexed_at)
    SELECT p.at_uri, p.author_did, NEW.deleted_at, NEW.deleted_time_us, 'account_deleted', NEW.indexed_at
    FROM @.posts p WHERE p.author_did = NEW.did AND p.time_us < NEW.deleted_time_us
    ON CONFLICT (at_uri) DO NOTHING;
  IF TG_OP = 'UPDATE' THEN
    -- One time per account, whatever order its deletions arrive in: the latest.
    UPDATE @.post_tombstones SET deleted_at = NEW.deleted_at, deleted_time_us = NEW.deleted_time_us
      WHERE author_did = NEW.did AND reason = 'account_deleted';
  END IF;
  RETURN NULL;
END $$`);

/**
 * The posts schema in PostgreSQL: the tables, columns and rules of the SQLite schema (`schema.ts`),
 * so both hold the same rows whatever order chunks come in.
 * - Times stay TEXT (UTC ISO 8601, as written) and `time_us` BIGINT: reports and comparisons read the
 *   same values from either database. Vectors are BYTEA (384 little-endian float32), `media` JSONB.
 * - A post (about 3.3 KB) stays whole in its heap page (`toast_tuple_target = 8160`): by default
 *   every row over 2 KB has its vectors tried for compression (floats do not compress) and moved to
 *   the TOAST table, two more rows and index entries per post; measured, inserts took twice as long.
 * - Search: `content_tsv`, a generated `tsvector` with the `simple` configuration (lower-cased words,
 *   no stemming, no stop words) and a GIN index. Posts are in many languages, and `english` would
 *   stem and drop words of all of them by English rules; `simple` matches what SQLite's FTS5
 *   (`unicode61`) finds.
 * - Tombstones win, in triggers: a post with a tombstone never enters (the BEFORE trigger returns
 *   NULL, also on the way to an `ON CONFLICT DO UPDATE`); a post older than its author's account
 *   deletion gets an `account_deleted` tombstone instead; a new tombstone deletes its post; a new or
 *   later account deletion tombstones every older post of the author and re-times the author's
 *   `account_deleted` tombstones to the latest deletion.
 */
export const POSTS_POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'posts, post_tombstones, account_tombstones, tsvector search on content; tombstones win (triggers)',
    sql: `
CREATE TABLE IF NOT EXISTS posts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_uri TEXT NOT NULL UNIQUE,
  author_did TEXT NOT NULL,
  content TEXT NOT NULL DEFAULT '',
  created_at TEXT,
  time_us BIGINT,
  thread_root_post TEXT,
  thread_parent_post TEXT,
  quote_post TEXT,
  media JSONB,
  embedding_l12 BYTEA,
  embedding_l6 BYTEA,
  indexed_at TEXT NOT NULL,
  content_tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content)) STORED
) WITH (toast_tuple_target = 8160);
CREATE INDEX IF NOT EXISTS posts_author ON posts (author_did, time_us);
CREATE INDEX IF NOT EXISTS posts_content_tsv ON posts USING GIN (content_tsv);
CREATE TABLE IF NOT EXISTS post_tombstones (
  at_uri TEXT PRIMARY KEY,
  author_did TEXT,
  deleted_at TEXT NOT NULL,
  deleted_time_us BIGINT NOT NULL,
  reason TEXT NOT NULL,
  indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS post_tombstones_author ON post_tombstones (author_did);
CREATE TABLE IF NOT EXISTS account_tombstones (
  did TEXT PRIMARY KEY,
  deleted_at TEXT NOT NULL,
  deleted_time_us BIGINT NOT NULL,
  indexed_at TEXT NOT NULL
);

${POSTS_TOMBSTONES_WIN}
DROP TRIGGER IF EXISTS posts_tombstones_win ON posts;
CREATE TRIGGER posts_tombstones_win BEFORE INSERT ON posts
  FOR EACH ROW EXECUTE FUNCTION posts_tombstones_win();

${POST_TOMBSTONES_REMOVE_POST}
DROP TRIGGER IF EXISTS post_tombstones_remove_post ON post_tombstones;
CREATE TRIGGER post_tombstones_remove_post AFTER INSERT ON post_tombstones
  FOR EACH ROW EXECUTE FUNCTION post_tombstones_remove_post();

${ACCOUNT_TOMBSTONES_APPLY}
DROP TRIGGER IF EXISTS account_tombstones_insert ON account_tombstones;
CREATE TRIGGER account_tombstones_insert AFTER INSERT ON account_tombstones
  FOR EACH ROW EXECUTE FUNCTION account_tombstones_apply();
DROP TRIGGER IF EXISTS account_tombstones_later ON account_tombstones;
CREATE TRIGGER account_tombstones_later AFTER UPDATE OF deleted_time_us ON account_tombstones
  FOR EACH ROW EXECUTE FUNCTION account_tombstones_apply();
`,
  },
];
