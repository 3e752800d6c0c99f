import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPresent, launchChromium } from '../helpers/chromium.js';

const ASSETS = join(import.meta.dirname, '..', '..', 'assets', 'dashboard');

/**
 * A table cell is written as markup (one string per table) and read by Chromium's HTML parser, which
 * would turn a carriage return into a newline and read `<`, `&` or `"` as markup: each cell's
 * `data-value` must still equal the report's value exactly (honeypot inputs carry all of these).
 */
describe.skipIf(!chromiumPresent())('dashboard table cells in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('keep every value as it was, whatever markup or line ends it holds', async () => {
    const script = ['format.js', 'charts.js', 'report-view.js'].map((f) => readFileSync(join(ASSETS, f), 'utf8')).join('\n;\n');
    const values = ['ls\r', 'a\r\nb', '<img src=x onerror=alert(1)>', 'x" title="y', '&amp; & &#13;', 'tab\there', 'ü 😀'];
    const page = await browser.newPage();
    try {
      await page.setContent(`<div id="c"></div><script>${script}</script>`);
      // A page-side expression as text: the tests are typed without the DOM's types.
      const shown: unknown = await page.evaluate(`(() => {
        const c = document.getElementById('c');
        const rows = ${JSON.stringify(values)}.map((input) => ({ input }));
        SluiceReportView.render(c, { columns: [{ name: 'input', kind: 'text' }], rows, chart: { kind: 'none' } });
        return { values: [...c.querySelectorAll('td')].map((td) => td.dataset.value), images: c.querySelectorAll('img').length };
      })()`);
      expect(shown).toEqual({ values, images: 0 });
    } finally {
      await page.close();
    }
  });
});
