import type { Profile } from '../profile.js';
import { mapBridgeRecord } from './map.js';
import { BRIDGE_POSTGRES_MIGRATIONS } from './pg-schema.js';
import { BRIDGE_REPORTS } from './reports.js';
import { BRIDGE_SQLITE_MIGRATIONS, EVENTS_TABLE } from './schema.js';

/** BLE bridge NDJSON events into `events`, idempotent on `(session_id, seq)`. */
export const bridgeProfile: Profile = {
  name: 'bridge',
  description: 'Bridge NDJSON events (as SteelCity tools/ingest_sqlite.py reads them) into table events, unique on (session_id, seq)',
  tables: [EVENTS_TABLE],
  sqliteMigrations: BRIDGE_SQLITE_MIGRATIONS,
  postgresMigrations: BRIDGE_POSTGRES_MIGRATIONS,
  keyFields: ['seq', 'session_id'],
  map: mapBridgeRecord,
  reports: BRIDGE_REPORTS,
};
