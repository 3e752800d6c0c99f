import type { CatalogReport } from './dashboard-catalog.js';

/**
 * Whether a page runs this report as it opens, with its default flags: every report with a chart
 * that needs no input (a session, words to find, a post); raw rows are only downloaded.
 */
export function opensWithPage(report: CatalogReport): boolean {
  return report.chart.kind !== 'none' && !report.options.sessionRequired && !report.options.q && !report.options.uri;
}
