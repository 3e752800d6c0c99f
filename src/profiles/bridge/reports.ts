import type { ProfileReports } from '../../reports/report.js';
import { hitsReport, sessionsReport, typesReport } from './reports-activity.js';
import { lastSeenReport } from './reports-last-seen.js';
import { exportReport } from './reports-export.js';
import { gapListReport, gapsReport } from './reports-gaps.js';
import { cadenceReport, errorsRecentReport, recentReport } from './reports-windows.js';

/**
 * The bridge reports (those of SteelCity's `tools/sqlite_reports.py`), each one SQL statement streamed off
 * table `events`. `ts_ms` is a per-process monotonic clock: windows end at the newest `ts_ms` in scope,
 * never at the wall clock, and comparisons across sessions are best avoided with `--session`.
 */
export const BRIDGE_REPORTS: ProfileReports = {
  table: 'events',
  sessionColumn: 'session_id',
  indexes: ['events_session_ts', 'events_type_msg'],
  reports: [
    sessionsReport,
    typesReport,
    hitsReport,
    gapsReport,
    gapListReport,
    lastSeenReport,
    cadenceReport,
    errorsRecentReport,
    recentReport,
    exportReport,
  ],
};
