import { z } from 'zod';
import type { SinkDescriptor } from '../sink-descriptor.js';

const PostgresSettings = z
  .object({})
  .strict()
  .describe('Everything is in the URL: postgres://user[:password]@host[:port]/database[?schema=NAME] (PGPASSWORD also works).');

/** `postgres://…`: rows by COPY, cursors and ledger marks in the batch's transaction. */
export const postgresSinkDescriptor: SinkDescriptor<typeof PostgresSettings> = {
  name: 'postgres',
  schemes: ['postgres:', 'postgresql:'],
  summary: 'a PostgreSQL database (?schema=NAME puts the tables in that schema)',
  example: 'postgres://ingest@db.example/logs?schema=sluice',
  settings: PostgresSettings,
  capabilities: { transactionalCursor: true, acknowledgedCursor: false, ledgerInDatabase: true, documents: false },
  supports: (profile) => (profile.postgresMigrations?.length ?? 0) > 0,
  async create(url, profile) {
    // The driver is loaded only for PostgreSQL runs: it costs start-up time and memory.
    const { PostgresSink } = await import('./postgres-sink.js');
    return new PostgresSink(url, profile);
  },
};
