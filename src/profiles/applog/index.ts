import type { Profile } from '../profile.js';
import { mapAppLogEntry } from './map.js';
import { APPLOG_REPORTS } from './reports.js';
import { APPLOG_POSTGRES_MIGRATIONS, APPLOG_SQLITE_MIGRATIONS, LOGS_TABLE } from './schema.js';

/** pino-style JSON log files (one array per file) into `logs`, one row per entry. */
export const applogProfile: Profile = {
  name: 'applog',
  description: 'pino-style JSON log arrays (as the log-insights ingestor reads them) into table logs, keyed by content (a renamed or recompressed file adds nothing)',
  tables: [LOGS_TABLE],
  sqliteMigrations: APPLOG_SQLITE_MIGRATIONS,
  postgresMigrations: APPLOG_POSTGRES_MIGRATIONS,
  // Repeats of one content within a file are counted: a resumed file is replayed from its start.
  unitHistory: true,
  map: mapAppLogEntry,
  reports: APPLOG_REPORTS,
};
