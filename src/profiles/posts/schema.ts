import type { Migration } from '../../db/sqlite/migration.js';

/**
 * The posts schema. The rules that make the result independent of processing order live in
 * triggers, in the writer's transaction:
 * - a post with a tombstone is never inserted (its own delete, processed earlier or later, wins);
 * - a post older than its author's account deletion is not inserted either; it gets an
 *   `account_deleted` tombstone instead, exactly as if it had been stored before the deletion came;
 *   such tombstones carry the account's latest deletion time (one time per account, in any order);
 * - a new tombstone removes its post; a new or later account deletion tombstones and removes every
 *   older post of that author;
 * - `posts_fts` (FTS5, external content) follows `posts`.
 */
export const POSTS_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'posts, post_tombstones, account_tombstones, FTS5 on content; tombstones win (triggers)',
    up(db) {
      db.exec(`
CREATE TABLE IF NOT EXISTS posts (
  id INTEGER PRIMARY KEY,
  at_uri TEXT NOT NULL UNIQUE,
  author_did TEXT NOT NULL,
  content TEXT NOT NULL DEFAULT '',
  created_at TEXT,
  time_us INTEGER,
  thread_root_post TEXT,
  thread_parent_post TEXT,
  quote_post TEXT,
  media TEXT,
  embedding_l12 BLOB,
  embedding_l6 BLOB,
  indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS posts_author ON posts(author_did, time_us);
CREATE TABLE IF NOT EXISTS post_tombstones (
  at_uri TEXT PRIMARY KEY,
  author_did TEXT,
  deleted_at TEXT NOT NULL,
  deleted_time_us INTEGER NOT NULL,
  reason TEXT NOT NULL,
  indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS post_tombstones_author ON post_tombstones(author_did);
CREATE TABLE IF NOT EXISTS account_tombstones (
  did TEXT PRIMARY KEY,
  deleted_at TEXT NOT NULL,
  deleted_time_us INTEGER NOT NULL,
  indexed_at TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(content, content='posts', content_rowid='id');

CREATE TRIGGER IF NOT EXISTS posts_own_tombstone BEFORE INSERT ON posts
WHEN EXISTS (SELECT 1 FROM post_tombstones t WHERE t.at_uri = NEW.at_uri)
BEGIN
  SELECT RAISE(IGNORE);
END;

CREATE TRIGGER IF NOT EXISTS posts_account_tombstone BEFORE INSERT ON posts
WHEN EXISTS (SELECT 1 FROM account_tombstones a WHERE a.did = NEW.author_did AND a.deleted_time_us > NEW.time_us)
BEGIN
  INSERT INTO post_tombstones (at_uri, author_did, deleted_at, deleted_time_us, reason, indexed_at)
    SELECT NEW.at_uri, NEW.author_did, a.deleted_at, a.deleted_time_us, 'account_deleted', NEW.indexed_at
    FROM account_tombstones a WHERE a.did = NEW.author_did
  ON CONFLICT (at_uri) DO NOTHING;
  SELECT RAISE(IGNORE);
END;

CREATE TRIGGER IF NOT EXISTS posts_fts_insert AFTER INSERT ON posts BEGIN
  INSERT INTO posts_fts (rowid, content) VALUES (NEW.id, NEW.content);
END;
CREATE TRIGGER IF NOT EXISTS posts_fts_delete AFTER DELETE ON posts BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, content) VALUES ('delete', OLD.id, OLD.content);
END;
CREATE TRIGGER IF NOT EXISTS posts_fts_update AFTER UPDATE OF content ON posts BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, content) VALUES ('delete', OLD.id, OLD.content);
  INSERT INTO posts_fts (rowid, content) VALUES (NEW.id, NEW.content);
END;

CREATE TRIGGER IF NOT EXISTS post_tombstones_remove_post AFTER INSERT ON post_tombstones BEGIN
  DELETE FROM posts WHERE at_uri = NEW.at_uri;
END;

CREATE TRIGGER IF NOT EXISTS account_tombstones_insert AFTER INSERT ON account_tombstones BEGIN
  INSERT INTO post_tombstones (at_uri, author_did, deleted_at, deleted_time_us, reason, indexed_at)
    SELECT p.at_uri, p.author_did, NEW.deleted_at, NEW.deleted_time_us, 'account_deleted', NEW.indexed_at
    FROM posts p WHERE p.author_did = NEW.did AND p.time_us < NEW.deleted_time_us
  ON CONFLICT (at_uri) DO NOTHING;
END;
CREATE TRIGGER IF NOT EXISTS account_tombstones_later AFTER UPDATE OF deleted_time_us ON account_tombstones BEGIN
  INSERT INTO post_tombstones (at_uri, author_did, deleted_at, deleted_time_us, reason, indexed_at)
    SELECT p.at_uri, p.author_did, NEW.deleted_at, NEW.deleted_time_us, 'account_deleted', NEW.indexed_at
    FROM posts p WHERE p.author_did = NEW.did AND p.time_us < NEW.deleted_time_us
  ON CONFLICT (at_uri) DO NOTHING;
  -- One time per account, whatever order its deletions arrive in: the latest.
  UPDATE post_tombstones SET deleted_at = NEW.deleted_at, deleted_time_us = NEW.deleted_time_us
    WHERE author_did = NEW.did AND reason = 'account_deleted';
END;
`);
    },
  },
];
