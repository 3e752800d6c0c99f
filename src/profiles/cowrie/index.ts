import type { Profile } from '../profile.js';
import { mapCowrieEvent } from './map.js';
import { COWRIE_POSTGRES_MIGRATIONS } from './pg-schema.js';
import { COWRIE_COUNTS_BATCH_SQL } from './report-counts-sql.js';
import { COWRIE_REPORTS } from './reports.js';
import { COWRIE_EVENTS_TABLE, COWRIE_SQLITE_MIGRATIONS } from './schema.js';
import { COWRIE_SESSION_BATCH_SQL } from './session-batch-sql.js';
import { COWRIE_SESSION_BATCH_SUMMARY } from './session-batch-summary.js';

/** Cowrie honeypot JSON logs (as cowrieprocessor reads them); every event kept, sessions enumerated, metrics and report counts kept per batch (SQLite) or by a statement trigger (PostgreSQL). */
export const cowrieProfile: Profile = {
  name: 'cowrie',
  description: 'Cowrie honeypot events (as cowrieprocessor reads them) into cowrie_events, with session_metrics and session_commands',
  tables: [COWRIE_EVENTS_TABLE],
  sqliteMigrations: COWRIE_SQLITE_MIGRATIONS,
  postgresMigrations: COWRIE_POSTGRES_MIGRATIONS,
  // Every writer's statement trigger adds to the same count rows (`uname -a`, `root/123456`), so
  // writers wait on each other's row locks anyway, and two batches of several COPY statements each
  // could take them in opposite orders (a deadlock): they take turns a batch at a time instead.
  postgresSerialWriters: true,
  // Session ids and content hashes are random keys: a larger page cache keeps their indexes in memory.
  sqliteCacheMb: 48,
  // Each batch dirties pages all over the random-key indexes (session ids, credentials, command
  // inputs): bigger pages, fewer of them to write at each commit and checkpoint, and shallower trees.
  // Measured on 1M events: the writer's COMMIT took half the CPU with 16 KiB pages, and the ingest
  // 0.69-0.73x the time of a reference with SQLite's default 4 KiB pages with 32 KiB pages, against
  // 0.77x with 16 KiB (reports unchanged). 16 KiB pages with a checkpoint every 8,000 measured no better.
  sqlitePageSize: 32768,
  // A batch's commit writes 1,000-2,400 of those pages, most of them the same index pages as the batch
  // before: a checkpoint after every commit (SQLite's default, at 1,000 pages) wrote them to the
  // database and synced it 20 times per 1M events. Every 4,000 pages (the WAL file grew to 176 MB:
  // 4,000 pages and the batch that crosses the mark), the same pages are written once for several
  // batches; measured on 1M events, in turn with a sync before each run: 11.3-11.8 s against 12.3-13.8 s
  // (8,000 pages: no better than 4,000).
  sqliteCheckpointPages: 4000,
  sqliteAfterBatch: { table: 0, statements: [...COWRIE_SESSION_BATCH_SQL, ...COWRIE_COUNTS_BATCH_SQL] },
  // session_metrics folded from the events in the parser thread, not grouped again in SQL at each
  // commit (the first of the statements above, which still keeps a chunk with a duplicate in it, a
  // lone surrogate in its texts, or rows that came without a summary through NATS).
  sqliteBatchSummary: COWRIE_SESSION_BATCH_SUMMARY,
  map: (record, emit) => mapCowrieEvent(record, emit),
  reports: COWRIE_REPORTS,
};
