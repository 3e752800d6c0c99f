import type { Profile } from '../profile.js';
import { POSTS_ES_MODEL } from './es-documents.js';
import { mapPostRow } from './map.js';
import { POSTS_POSTGRES_MIGRATIONS } from './pg-schema.js';
import { POSTS_REPORTS } from './reports.js';
import { POSTS_SQLITE_MIGRATIONS } from './schema.js';
import { POSTS_TABLES } from './tables.js';

/**
 * BlueSky posts from Megastream chunks (`.db.zip` SQLite files) into `posts`,
 * `post_tombstones` and `account_tombstones` (SQLite with FTS5, or PostgreSQL with a tsvector, on
 * content) or Elasticsearch.
 */
export const postsProfile: Profile = {
  name: 'posts',
  description: 'BlueSky posts from Megastream .db.zip chunks (as megastream_ingest reads them) into posts + tombstones; tombstones win',
  tables: POSTS_TABLES,
  reports: POSTS_REPORTS,
  sqliteMigrations: POSTS_SQLITE_MIGRATIONS,
  postgresMigrations: POSTS_POSTGRES_MIGRATIONS,
  // Tombstones win across workers too: the triggers must see every other committed batch.
  postgresSerialWriters: true,
  // A post is about 3.5 KB (two 1.5 KB vectors): 16 KiB pages hold four.
  sqlitePageSize: 16384,
  // A checkpoint per 128 MB of WAL instead of per 16 MB: about 8 % less wall time (three pairs of runs).
  sqliteCheckpointPages: 8000,
  sqliteUnits: { tables: ['enriched_posts', 'posts'], columns: ['at_uri', 'did', 'time_us', 'raw_post', 'inferences'] },
  map: (record, emit, options) => mapPostRow(record, emit, new Date().toISOString(), options.documents === true),
  elasticsearch: POSTS_ES_MODEL,
};
