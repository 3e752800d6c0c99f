import { createHash } from 'node:crypto';
import { assetText } from '../reports/page-assets.js';
import { scriptSafe } from '../reports/script-safe.js';

/** Scripts of every page, in run order: classic scripts that share one global each (no bundler needed). */
export const PAGE_SCRIPTS = ['format.js', 'charts.js', 'report-view.js', 'dashboard.js', 'jobs.js'] as const;

/** The id of the element that holds the catalog (`/api/catalog`'s answer) in the page. */
export const CATALOG_ELEMENT_ID = 'sluice-catalog';

/** The one page every path serves (`/`, `/db/ID`, `/jobs`), and the policy that lets its own parts run. */
export interface PageShell {
  html: string;
  contentSecurityPolicy: string;
}

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The HTML shell of every page, with its style, its scripts and the catalog inside it: the browser
 * draws a page from this one response, where it took seven (six assets, then the catalog once the
 * scripts had run) before. On this 2-core machine that wait was a third of a second or more before
 * the first report was even asked for. The scripts read the path and draw it.
 *
 * Only the inline parts whose hashes the policy names may run, and everything else the page asks
 * for comes from this server. The catalog is a JSON data block, which no browser runs.
 */
export function pageShell(catalog: unknown, readAsset: (name: string) => string = assetText): PageShell {
  const style = readAsset('style.css');
  const scripts = PAGE_SCRIPTS.map((name) => readAsset(name));
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice dashboard</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
<header class="top"><a class="brand" href="/">Sluice</a><nav id="nav"></nav></header>
<main id="main"><p class="muted">Loading…</p></main>
<script type="application/json" id="${CATALOG_ELEMENT_ID}">${scriptSafe(JSON.stringify(catalog))}</script>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'self'",
    `script-src 'self' ${scripts.map(sha256Source).join(' ')}`,
    `style-src 'self' ${sha256Source(style)}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
