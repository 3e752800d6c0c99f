import { chartOf } from '../report-chart.js';
import type { ReportColumn, ReportDefinition } from '../report.js';
import { assetText } from '../page-assets.js';
import { scriptSafe } from '../script-safe.js';
import { jsonFormatter } from './json.js';
import type { RowFormatter } from './row-formatter.js';

/** The dashboard's scripts that draw one report (chart and table), inlined in load order. */
const SCRIPTS = ['format.js', 'charts.js', 'report-view.js'] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/**
 * One self-contained HTML file (for mail or a ticket): the report's chart and table as the dashboard
 * draws them, with the dashboard's own scripts and style inlined and the rows as the JSON format
 * writes them. It opens without any server or network; times show in the reader's time zone.
 */
export function htmlFormatter(columns: readonly ReportColumn[], caption: string | undefined, report?: ReportDefinition): RowFormatter {
  const json = jsonFormatter(columns);
  const name = report?.name ?? 'report';
  const head = {
    report: name,
    columns,
    chart: chartOf(report?.chart, columns),
  };
  return {
    start: () =>
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(name)} · Sluice report</title>
<style>
${assetText('style.css')}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(name)}</h1>
<p class="muted">${escapeHtml(report?.summary ?? '')}</p>
${caption ? `<p class="muted">${escapeHtml(caption)}</p>\n` : ''}<p class="muted">Made by sluice report on ${new Date().toISOString()}</p>
<section class="report"><div class="result" id="result"></div></section>
</main>
<script type="application/json" id="report-data">${scriptSafe(JSON.stringify(head).slice(0, -1))},"rows":[`,
    row: (values) => scriptSafe(json.row(values)),
    end: () =>
      `]}</script>
${SCRIPTS.map((s) => `<script>\n${assetText(s)}\n</script>`).join('\n')}
<script>
SluiceReportView.render(document.getElementById('result'), JSON.parse(document.getElementById('report-data').textContent));
document.body.dataset.ready = 'true';
</script>
</body>
</html>
`,
  };
}
