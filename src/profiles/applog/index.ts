import type { Profile } from '../profile.js';
import { mapAppLogEntry } from './map.js';
import { APPLOG_REPORTS } from './reports.js';
import { APPLOG_POSTGRES_MIGRATIONS, APPLOG_SQLITE_MIGRATIONS, LOGS_TABLE } from './schema.js';

/** pino-style JSON log files (one array per file) into `logs`, one row per entry. */
export const applogProfile: Profile = {
  name: 'applog',
  description: 'pino-style JSON log arrays (as the log-insights ingestor reads them) into table logs, id from (file name, entry index)',
  tables: [LOGS_TABLE],
  sqliteMigrations: APPLOG_SQLITE_MIGRATIONS,
  postgresMigrations: APPLOG_POSTGRES_MIGRATIONS,
  map: mapAppLogEntry,
  reports: APPLOG_REPORTS,
};
