import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { chromiumPresent, launchChromium } from '../helpers/chromium.js';
import { runSluice, startSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb, COWRIE_DIR, cowrieDb, MEGASTREAM_DIR, postsDb } from '../helpers/dashboard-dbs.js';
import { startDashboardProcess, type DashboardProcess } from '../helpers/dashboard-process.js';

const dataPresent = existsSync(COWRIE_DIR) && existsSync(MEGASTREAM_DIR);
if (!dataPresent && process.env.CI === 'true') throw new Error(`CI: the shared sample data is missing (${COWRIE_DIR}, ${MEGASTREAM_DIR})`);
const runnable = chromiumPresent() && dataPresent;

type Row = Record<string, unknown>;

/** A free TCP port on loopback (for the follower's metrics). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** The oracle: `sluice report NAME --format json` with the same flags. */
function cliRows(db: string, profile: string, name: string, flags: readonly string[] = []): Row[] {
  const r = runSluice(['report', name, '--profile', profile, '--db', db, '--format', 'json', ...flags]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Row[];
}

/** A report's table as the page shows it: every cell's raw value (`data-value`), by column. */
async function pageRows(page: Page, name: string): Promise<Row[]> {
  return page.$$eval(`section[data-report="${name}"] table.rows tbody tr`, (trs) =>
    trs.map((tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.column ?? '', td.dataset.value ?? '']))),
  );
}

/** Rows a table shows until "show all" is pressed (report-view.js FIRST_ROWS). */
const FIRST_ROWS = 100;

/** A table's note on how many rows it shows ("Showing the first 100 of 597 rows…"), or null. */
async function tableNote(page: Page, name: string): Promise<{ text: string; shown: string; total: string } | null> {
  return page.$$eval(`section[data-report="${name}"] .table-note`, (notes) => {
    const n = notes[0];
    return n ? { text: n.textContent ?? '', shown: n.dataset.shown ?? '', total: n.dataset.total ?? '' } : null;
  });
}

/**
 * The table shows the CLI's first rows (all of them up to FIRST_ROWS), and says so when there are
 * more: "the first M of N" and a button that shows the rest.
 */
async function expectFirstRows(page: Page, name: string, cli: readonly Row[], what = name): Promise<void> {
  const shown = Math.min(cli.length, FIRST_ROWS);
  expect(await pageRows(page, name), what).toEqual(asCells(cli.slice(0, shown)));
  const note = await tableNote(page, name);
  if (cli.length > shown) {
    expect(note, what).toMatchObject({ shown: String(shown), total: String(cli.length) });
    expect(note?.text, what).toContain(`Showing the first ${shown} of ${cli.length.toLocaleString('en-US')} rows`);
    expect(note?.text, what).toContain(`Show all ${cli.length.toLocaleString('en-US')} rows`);
  } else {
    expect(note, what).toBeNull();
  }
}

/** The CLI's rows as the page's `data-value` text (null is empty). */
function asCells(rows: readonly Row[]): Row[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)])));
}

async function markCount(page: Page, name: string): Promise<number> {
  return page.$$eval(`section[data-report="${name}"] svg .mark`, (marks) => marks.length);
}

describe.runIf(runnable)('sluice dashboard in Chromium', () => {
  let dir: string;
  const dbs: Record<'bridge' | 'cowrie' | 'posts', string> = { bridge: '', cowrie: '', posts: '' };
  let dashboard: DashboardProcess;
  let follower: ReturnType<typeof startSluice>;
  let followFile: string;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    dir = tempDir('sluice-dashboard-');
    dbs.bridge = bridgeDb(dir);
    dbs.cowrie = cowrieDb(dir);
    dbs.posts = postsDb(dir);
    followFile = join(dir, 'follow', 'bridge_20250829.ndjson');
    mkdirSync(join(dir, 'follow'));
    writeFileSync(followFile, bridgeFile(50, 'f1'));
    const metricsPort = await freePort();
    follower = startSluice([
      'follow', join(dir, 'follow', 'bridge_{YYYYMMDD}.ndjson'), '--db', join(dir, 'follow.db'), '--poll-ms', '50',
      '--status-file', join(dir, 'follow.status.json'), '--metrics-port', String(metricsPort), '--no-progress',
    ]);
    dashboard = await startDashboardProcess([
      '--db', dbs.bridge, '--db', dbs.cowrie, '--db', dbs.posts,
      '--status-file', join(dir, 'follow.status.json'), '--metrics', `http://127.0.0.1:${metricsPort}/metrics`,
    ]);
    browser = await launchChromium();
    // A viewer far from UTC: times must show in the viewer's zone, and since/until convert from it.
    page = await browser.newPage({ timezoneId: 'Asia/Tokyo', locale: 'en-US' });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    const code = await dashboard?.stop();
    if (follower && follower.exitCode === null) {
      const closed = new Promise((resolve) => follower.once('close', resolve));
      follower.kill('SIGTERM');
      await closed;
    }
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  async function open(id: number): Promise<void> {
    await page.goto(`${dashboard.url}/db/${id}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  }

  /** Every drawn report with rows has marks, and its rows equal the CLI's with the default flags. */
  async function checkEveryReport(profile: 'bridge' | 'cowrie' | 'posts'): Promise<string[]> {
    const names = await page.$$eval('section[data-report][data-state="done"]', (s) => s.map((e) => e.getAttribute('data-report') ?? ''));
    const drawn: string[] = [];
    for (const name of names) {
      if (name === 'export') continue;
      await expectFirstRows(page, name, cliRows(dbs[profile], profile, name), `${profile} ${name}`);
      if ((await pageRows(page, name)).length > 0) {
        expect(await page.$$eval(`section[data-report="${name}"] svg`, (s) => s.length), `${profile} ${name} chart`).toBe(1);
        expect(await markCount(page, name), `${profile} ${name} marks`).toBeGreaterThan(0);
        drawn.push(name);
      }
    }
    return drawn;
  }

  it('bridge: every report drawn with the numbers of sluice report; a control redraws it', async () => {
    await open(0);
    const drawn = await checkEveryReport('bridge');
    expect(drawn).toEqual(expect.arrayContaining(['sessions', 'types', 'hits', 'gaps', 'gap_list', 'last_seen', 'cadence', 'errors_recent', 'recent']));
    // gaps of s2 (15 s and 30 s) on the timeline, as many marks as rows
    expect(await markCount(page, 'gap_list')).toBe((await pageRows(page, 'gap_list')).length);
    // export: raw rows are not sent to the page, only offered for download
    expect(await page.$eval('section[data-report="export"]', (s) => s.getAttribute('data-state'))).toBe('waiting');

    await page.fill('section[data-report="types"] input[name="session"]', 's3');
    await page.dispatchEvent('section[data-report="types"] input[name="session"]', 'change');
    await expect.poll(() => pageRows(page, 'types')).toEqual(asCells(cliRows(dbs.bridge, 'bridge', 'types', ['--session', 's3'])));

    await page.selectOption('section[data-report="cadence"] select[name="by"]', 'plate');
    await expect.poll(() => pageRows(page, 'cadence')).toEqual(asCells(cliRows(dbs.bridge, 'bridge', 'cadence', ['--by', 'plate'])));
    await page.fill('section[data-report="gap_list"] input[name="thresholdSec"]', '20');
    await page.dispatchEvent('section[data-report="gap_list"] input[name="thresholdSec"]', 'change');
    await expect.poll(() => pageRows(page, 'gap_list')).toEqual(asCells(cliRows(dbs.bridge, 'bridge', 'gap_list', ['--threshold-sec', '20'])));
    expect(await markCount(page, 'gap_list')).toBe(1);

    // Every gap (597 rows): the chart draws them all, the table its first rows and says so, and
    // "show all" adds the rest, every one equal to sluice report's.
    const every = cliRows(dbs.bridge, 'bridge', 'gap_list', ['--threshold-sec', '0', '--limit', '0']);
    expect(every.length).toBeGreaterThan(FIRST_ROWS);
    await page.fill('section[data-report="gap_list"] input[name="thresholdSec"]', '0');
    await page.fill('section[data-report="gap_list"] input[name="limit"]', '0');
    // Tab, as a person leaves the field: its change is sent now, not when the button takes the focus.
    await page.press('section[data-report="gap_list"] input[name="limit"]', 'Tab');
    await expect.poll(() => markCount(page, 'gap_list')).toBe(every.length);
    await expectFirstRows(page, 'gap_list', every);
    await page.click('section[data-report="gap_list"] button.show-all');
    expect(await pageRows(page, 'gap_list')).toEqual(asCells(every));
    expect(await tableNote(page, 'gap_list')).toMatchObject({ shown: String(every.length), total: String(every.length) });
    expect((await tableNote(page, 'gap_list'))?.text).toBe(`Showing all ${every.length} rows.`);
    expect(await page.$$eval('section[data-report="gap_list"] button.show-all', (b) => b.length)).toBe(0);
  });

  it('cowrie: every report drawn with the numbers of sluice report; period and time range redraw the summary', async () => {
    await open(1);
    const drawn = await checkEveryReport('cowrie');
    expect(drawn).toEqual(expect.arrayContaining(['sessions', 'summary', 'top_commands', 'top_ips', 'credentials']));
    const days = cliRows(dbs.cowrie, 'cowrie', 'summary');
    expect(await markCount(page, 'summary')).toBe(days.length * 4);
    await page.selectOption('section[data-report="summary"] select[name="period"]', 'weekly');
    await expect.poll(() => pageRows(page, 'summary')).toEqual(asCells(cliRows(dbs.cowrie, 'cowrie', 'summary', ['--period', 'weekly'])));
    // The viewer's local midnight (Tokyo), sent as the UTC instant --since takes.
    const since = await page.evaluate(() => new Date('2018-05-08T00:00:00').toISOString());
    expect(since).toBe('2018-05-07T15:00:00.000Z');
    await page.fill('section[data-report="summary"] input[name="since"]', '2018-05-08T00:00:00');
    await page.dispatchEvent('section[data-report="summary"] input[name="since"]', 'change');
    await expect
      .poll(() => pageRows(page, 'summary'))
      .toEqual(asCells(cliRows(dbs.cowrie, 'cowrie', 'summary', ['--period', 'weekly', '--since', since])));
    // A first_seen shown in the viewer's zone (JST, 9 h ahead of the stored UTC).
    const [raw, shown] = await page.$eval('section[data-report="top_ips"] td[data-column="first_seen"]', (td) => [td.dataset.value ?? '', td.textContent ?? '']);
    const expected = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Tokyo' }).format(new Date(raw.replace(/(\.\d{3})\d+/, '$1')));
    expect(shown).toBe(expected);
    await page.fill('section[data-report="top_ips"] input[name="limit"]', '3');
    await page.dispatchEvent('section[data-report="top_ips"] input[name="limit"]', 'change');
    await expect.poll(() => pageRows(page, 'top_ips')).toEqual(asCells(cliRows(dbs.cowrie, 'cowrie', 'top_ips', ['--limit', '3'])));
    expect(await markCount(page, 'top_ips')).toBe(3);
  });

  it('posts: every report drawn; search and similar run once their text is filled in', async () => {
    await open(2);
    const drawn = await checkEveryReport('posts');
    expect(drawn).toContain('authors');
    expect(await page.$eval('section[data-report="search"]', (s) => s.getAttribute('data-state'))).toBe('waiting');
    await page.fill('section[data-report="search"] input[name="q"]', 'the');
    await page.dispatchEvent('section[data-report="search"] input[name="q"]', 'change');
    await expect.poll(() => pageRows(page, 'search')).toEqual(asCells(cliRows(dbs.posts, 'posts', 'search', ['--q', 'the'])));
    expect(await markCount(page, 'search')).toBeGreaterThan(0);
    const conn = new Database(dbs.posts, { readonly: true });
    const uri = (conn.prepare('SELECT at_uri FROM posts WHERE embedding_l12 IS NOT NULL LIMIT 1').get() as { at_uri: string } | undefined)?.at_uri;
    conn.close();
    if (uri !== undefined) {
      await page.fill('section[data-report="similar"] input[name="uri"]', uri);
      await page.dispatchEvent('section[data-report="similar"] input[name="uri"]', 'change');
      await expect.poll(() => pageRows(page, 'similar')).toEqual(asCells(cliRows(dbs.posts, 'posts', 'similar', ['--uri', uri])));
    }
  });

  it('jobs: a running follow is shown advancing (status file and metrics)', async () => {
    await page.goto(`${dashboard.url}/jobs`);
    await page.waitForSelector('section.job[data-state="ok"]', { timeout: 20_000 });
    const written = () =>
      page.$$eval('section.job[data-state="ok"]', (s) => s.map((e) => Number(e.getAttribute('data-written'))));
    await expect.poll(written, { timeout: 20_000 }).toEqual([50, 50]);
    appendFileSync(followFile, bridgeFile(70, 'f1', 50));
    await expect.poll(written, { timeout: 20_000 }).toEqual([120, 120]);
    expect(await page.$$eval('section.job svg .mark', (m) => m.length)).toBeGreaterThan(2);
  });

  it('no console errors, and no request left 127.0.0.1', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((u) => new URL(u).hostname !== '127.0.0.1')).toEqual([]);
  });
});
