import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import type { SinkDescriptor } from '../sink-descriptor.js';

const SqliteSettings = z.object({}).strict().describe('A SQLite sink needs nothing beyond its path (`sqlite:PATH`, or `--db PATH`).');

/** `sqlite:PATH`: the embedded default; one file, WAL, cursors in the batch's transaction. */
export const sqliteSinkDescriptor: SinkDescriptor<typeof SqliteSettings> = {
  name: 'sqlite',
  schemes: ['sqlite:'],
  summary: 'a SQLite file (the default; --db PATH is short for --into sqlite:PATH)',
  example: 'sqlite:logs/bridge.db',
  settings: SqliteSettings,
  capabilities: { transactionalCursor: true, acknowledgedCursor: false, ledgerInDatabase: true, documents: false },
  supports: (profile) => profile.sqliteMigrations.length > 0,
  async create(url, profile) {
    const path = sqlitePathOf(url);
    if (path === '') throw new SluiceError('SLUICE_E_UNKNOWN_SINK', '--into: sqlite: needs a path, e.g. sqlite:logs/bridge.db');
    // Loaded when a run needs it: `--help` stays quick and never loads the native module.
    const { SqliteSink } = await import('./sqlite-sink.js');
    return new SqliteSink(path, profile);
  },
};

/** The file of a `sqlite:` URL (`sqlite:///abs/path` and `sqlite:rel/path` both work). */
export function sqlitePathOf(url: string): string {
  return url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
}
