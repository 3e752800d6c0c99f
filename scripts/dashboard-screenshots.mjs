#!/usr/bin/env node
// `npm run screenshots`: PNGs of every dashboard page (and of a `report --format html` file) in
// screenshots/ (not committed), made in headless Chromium over small databases built by the CLI:
// generated bridge events, the shared Cowrie logs and Megastream chunks (generated Cowrie events
// when the shared data is absent), and a running `sluice follow` for the jobs page.
//
//   node scripts/dashboard-screenshots.mjs [OUT_DIR]   env SLUICE_CHROMIUM=/usr/bin/chromium
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bridgeLines, generateBridgeEvents } from '../bench/generate-bridge-events.mjs';
import { generateCowrieEvents } from '../bench/generate-cowrie-events.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'sluice.js');
const out = resolve(process.argv[2] ?? join(root, 'screenshots'));
const shared = process.env.SLUICE_SHARED_DATA ?? [join(root, '..', 'shared', 'data'), '/work/shared/data'].find((d) => existsSync(d));
const work = mkdtempSync(join(tmpdir(), 'sluice-screenshots-'));
const log = (msg) => console.error(`[screenshots] ${msg}`);

function sluice(args) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 3) throw new Error(`sluice ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

function started(child, pattern) {
  let text = '';
  return new Promise((resolveMatch, reject) => {
    child.stderr.on('data', (c) => {
      text += c;
      const m = pattern.exec(text);
      if (m) resolveMatch(m);
    });
    child.on('close', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

mkdirSync(out, { recursive: true });
log(`building databases in ${work}`);
await generateBridgeEvents({ count: 20_000, seed: 7, out: join(work, 'bridge.ndjson'), sessions: 4, plates: 12, badEvery: 0, dupEvery: 0 });
sluice(['ingest', 'bridge.ndjson', '--db', 'bridge.db', '--no-progress']);
const cowrieDir = shared && join(shared, 'cowrie', 'kareiva-2018');
if (cowrieDir && existsSync(cowrieDir)) {
  sluice(['ingest', ...readdirSync(cowrieDir).sort().map((f) => join(cowrieDir, f)), '--profile', 'cowrie', '--db', 'cowrie.db', '--no-progress']);
} else {
  await generateCowrieEvents(join(work, 'cowrie.json'), 20_000);
  sluice(['ingest', 'cowrie.json', '--profile', 'cowrie', '--db', 'cowrie.db', '--no-progress']);
}
const dbs = ['bridge.db', 'cowrie.db'];
const mega = shared && join(shared, 'bluesky', 'ingex-megastream');
if (mega && existsSync(mega)) {
  mkdirSync(join(work, 'mega'));
  for (const f of readdirSync(mega).filter((f) => f.endsWith('.db.zip'))) copyFileSync(join(mega, f), join(work, 'mega', f));
  sluice(['spool', '--profile', 'posts', '--from', 'mega', '--into', 'sqlite:posts.db', '--mode', 'once', '--no-progress']);
  dbs.push('posts.db');
}
sluice(['report', 'sessions', '--db', 'bridge.db', '--format', 'html', '--out', 'sessions.html']);

mkdirSync(join(work, 'live'));
const lines = bridgeLines({ count: 50_000_000, seed: 9, sessions: 1, plates: 12, badEvery: 0, dupEvery: 0 });
const feed = (k) => {
  let text = '';
  for (let i = 0; i < k; i++) text += `${lines.next().value}\n`;
  appendFileSync(join(work, 'live', 'bridge_20250829.ndjson'), text);
};
feed(2000);
const follow = spawn(process.execPath, [bin, 'follow', 'live/bridge_{YYYYMMDD}.ndjson', '--db', 'live.db', '--status-file', 'follow.json', '--no-progress'], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
const feeder = setInterval(() => feed(1000 + Math.floor(Math.random() * 3000)), 250);
const dashboard = spawn(process.execPath, [bin, 'dashboard', '--port', '0', ...dbs.flatMap((d) => ['--db', d]), '--status-file', 'follow.json'], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
const [, url] = await started(dashboard, /open (http:\/\/\S+?)\/?\n/);

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
  const shots = [['home', '/'], ...dbs.map((d, i) => [d.replace('.db', ''), `/db/${i}`])];
  for (const [name, path] of shots) {
    await page.goto(`${url}${path}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    log(`${name}.png`);
    // Each report on its own too: a whole page is too tall to read at a glance.
    for (const section of await page.$$('section.report')) {
      const report = await section.getAttribute('data-report');
      await section.screenshot({ path: join(out, `${name}-${report}.png`) });
    }
  }
  await page.goto(`${url}/jobs`);
  await page.waitForSelector('section.job[data-state="ok"]');
  await page.waitForTimeout(15_000); // a rows/s line of 15 readings
  await page.screenshot({ path: join(out, 'jobs.png'), fullPage: true });
  log('jobs.png');
  await page.goto(`file://${join(work, 'sessions.html')}`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.screenshot({ path: join(out, 'report-html.png'), fullPage: true });
  log('report-html.png');
} finally {
  clearInterval(feeder);
  await browser.close();
  dashboard.kill('SIGTERM');
  follow.kill('SIGTERM');
  await new Promise((r) => follow.once('close', r));
  rmSync(work, { recursive: true, force: true });
}
log(`done: ${out}`);
