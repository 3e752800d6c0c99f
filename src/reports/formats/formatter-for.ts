import type { ReportFormat } from '../report-config.js';
import { csvFormatter } from './csv.js';
import { htmlFormatter } from './html.js';
import { jsonFormatter } from './json.js';
import type { RowFormatterFactory } from './row-formatter.js';
import { tableFormatter } from './table.js';

/** Every output format, in one explicit table. */
export const FORMATTERS: Readonly<Record<ReportFormat, RowFormatterFactory>> = {
  table: tableFormatter,
  csv: csvFormatter,
  json: jsonFormatter,
  html: htmlFormatter,
};
