/** Scripts of every page, in load order: classic scripts that share one global each (no bundler needed). */
export const PAGE_SCRIPTS = ['format.js', 'charts.js', 'report-view.js', 'dashboard.js', 'jobs.js'] as const;

/**
 * The one HTML shell of every page (`/`, `/db/ID`, `/jobs`): the scripts read the path and draw it.
 * Everything it loads comes from this server (`/assets/…`); the Content-Security-Policy says so too.
 */
export function pageHtml(): string {
  const scripts = PAGE_SCRIPTS.map((s) => `<script src="/assets/${s}" defer></script>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
${scripts}
</head>
<body>
<header class="top"><a class="brand" href="/">Sluice</a><nav id="nav"></nav></header>
<main id="main"><p class="muted">Loading…</p></main>
</body>
</html>
`;
}

/** Only this server: scripts, styles, data and images all from the page's own origin. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
