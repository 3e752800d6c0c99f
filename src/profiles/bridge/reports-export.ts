import type { ReportColumn, ReportDefinition } from '../../reports/report.js';
import { EVENTS_TABLE } from './schema.js';
import { limitArg } from '../../reports/report-sql.js';

/** The exported columns: every column the profile writes, as ingested (without the internal `id`). */
const EXPORT_COLUMNS: readonly ReportColumn[] = EVENTS_TABLE.columns.map(
  (c): ReportColumn => ({ name: c.name, kind: c.kind === 'text' ? 'text' : c.name === 'ts_ms' ? 'epoch_ms' : c.sqlType === 'INTEGER' ? 'integer' : 'number' }),
);

/** One session's rows in `seq` order, streamed straight off the (session_id, seq) index. */
export const exportReport: ReportDefinition = {
  name: 'export',
  summary: "one session's rows in seq order (CSV by default; --out PATH, or --out - for stdout)",
  example: 'sluice report export --db logs/bridge.db --session SESSION_ID --out logs/session.csv',
  options: { sessionRequired: true, format: 'csv' },
  chart: { kind: 'none' },
  columns: () => EXPORT_COLUMNS,
  async query(reader, params) {
    return {
      sql: `SELECT ${EXPORT_COLUMNS.map((c) => `"${c.name}"`).join(', ')}
        FROM events WHERE session_id = ?
        ORDER BY seq
        LIMIT ?`,
      args: [params.session ?? null, limitArg(reader.dialect, params)],
    };
  },
};
