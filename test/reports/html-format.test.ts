import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeLine } from '../helpers/bridge-lines.js';
import { chromiumPresent, launchChromium } from '../helpers/chromium.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';

let dir: string;
let db: string;

beforeAll(() => {
  dir = tempDir('sluice-html-report-');
  db = bridgeDb(dir);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rows a report file carries (its `report-data` element). */
function embedded(html: string): { report: string; rows: unknown[]; chart: { kind: string } } {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m?.[1]) throw new Error('no report-data element');
  return JSON.parse(m[1]) as { report: string; rows: unknown[]; chart: { kind: string } };
}

describe('sluice report --format html', () => {
  it('writes one self-contained file whose rows are those of --format json (chosen by the .html extension too)', () => {
    const out = join(dir, 'gaps.html');
    const r = runSluice(['report', 'gap_list', '--db', db, '--threshold-sec', '5', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    const json = runSluice(['report', 'gap_list', '--db', db, '--threshold-sec', '5', '--format', 'json']);
    const data = embedded(html);
    expect(data.rows).toEqual(JSON.parse(json.stdout));
    expect(data.rows.length).toBeGreaterThan(0);
    expect(data.chart.kind).toBe('timeline');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });

  it('keeps a row that holds </script> inside its element', () => {
    const input = join(dir, 'odd.ndjson');
    writeFileSync(input, `${bridgeLine(1, 'odd', { msg: '</script><b>x\u2028' })}\n`);
    const odd = join(dir, 'odd.db');
    expect(runSluice(['ingest', input, '--db', odd, '--no-progress']).code).toBe(0);
    const r = runSluice(['report', 'types', '--db', odd, '--format', 'html']);
    expect(r.code, r.stderr).toBe(0);
    expect(embedded(r.stdout).rows).toEqual([{ type: 'event', msg: '</script><b>x\u2028', events: 1 }]);
  });

  it.runIf(chromiumPresent())('draws the chart and the table in Chromium with no request but the file', async () => {
    const out = join(dir, 'types.html');
    expect(runSluice(['report', 'types', '--db', db, '--out', out]).code).toBe(0);
    const rows = JSON.parse(runSluice(['report', 'types', '--db', db, '--format', 'json']).stdout) as unknown[];
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${out}`);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.$$eval('svg rect.mark', (m) => m.length)).toBe(rows.length);
      expect(await page.$$eval('table.rows tbody tr', (t) => t.length)).toBe(rows.length);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
