import type { BindValue, ReportParams } from '../../reports/report.js';

/** `--session` is an author DID in this profile (`sessionColumn` is `author_did`). */
export function authorCondition(column: string, params: ReportParams): { sql: string; args: BindValue[] } {
  return params.session !== undefined ? { sql: `AND ${column} = ?`, args: [params.session] } : { sql: '', args: [] };
}
