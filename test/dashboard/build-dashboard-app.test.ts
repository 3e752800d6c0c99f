import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboardApp } from '../../src/dashboard/build-dashboard-app.js';
import { openCatalog } from '../../src/dashboard/dashboard-catalog.js';
import { PAGE_SCRIPTS } from '../../src/dashboard/page-html.js';
import { runSluice, tempDir } from '../helpers/cli.js';
import { bridgeDb } from '../helpers/dashboard-dbs.js';

let dir: string;
let db: string;
let app: FastifyInstance;
let locked: FastifyInstance;
const KEY = 'k1-secret-key';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  dir = tempDir('sluice-dashboard-app-');
  db = bridgeDb(dir);
  const databases = await openCatalog([db]);
  app = buildDashboardApp({ databases, statusFiles: [], metrics: [], apiKeys: [] });
  locked = buildDashboardApp({ databases, statusFiles: [], metrics: [], apiKeys: [KEY] });
}, 60_000);

afterAll(async () => {
  await app.close();
  await locked.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard API', () => {
  it('detects the profile and lists its reports with their charts', async () => {
    const res = await app.inject('/api/catalog');
    const body = res.json() as { databases: Array<{ profile: string; reports: Array<{ name: string; chart: { kind: string } }> }> };
    expect(body.databases[0]?.profile).toBe('bridge');
    const kinds = Object.fromEntries(body.databases[0]?.reports.map((r) => [r.name, r.chart.kind]) ?? []);
    expect(kinds).toMatchObject({ sessions: 'timeline', gap_list: 'timeline', types: 'bars', export: 'none' });
  });

  it('answers a report with the rows of sluice report --format json, for the same flags', async () => {
    const before = sha(db);
    const res = await app.inject('/api/db/0/reports/gap_list?thresholdSec=20&session=s2');
    expect(res.statusCode).toBe(200);
    const cli = runSluice(['report', 'gap_list', '--db', db, '--format', 'json', '--threshold-sec', '20', '--session', 's2']);
    expect((res.json() as { rows: unknown[] }).rows).toEqual(JSON.parse(cli.stdout));
    expect((res.json() as { rows: unknown[] }).rows).toHaveLength(1); // of the 15 s and 30 s gaps of s2
    expect(sha(db)).toBe(before); // read-only
  });

  it('streams a download as sluice report writes it (CSV and JSON)', async () => {
    const csv = await app.inject('/api/db/0/download/types?format=csv&session=s1');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="types.csv"');
    expect(csv.body).toBe(runSluice(['report', 'types', '--db', db, '--format', 'csv', '--session', 's1']).stdout);
    const json = await app.inject('/api/db/0/download/export?format=json&session=s3&limit=5');
    expect(json.body).toBe(runSluice(['report', 'export', '--db', db, '--format', 'json', '--session', 's3', '--limit', '5']).stdout);
  });

  it('refuses a flag the report does not take, an unknown report or database: 400 with the reason', async () => {
    const flag = await app.inject('/api/db/0/reports/types?windowSec=5');
    expect(flag.statusCode).toBe(400);
    expect(flag.json()).toMatchObject({ code: 'SLUICE_E_USAGE', message: expect.stringContaining('--window-sec') });
    expect((await app.inject('/api/db/0/reports/nope')).json()).toMatchObject({ code: 'SLUICE_E_UNKNOWN_REPORT' });
    expect((await app.inject('/api/db/0/reports/types?limit=-1')).statusCode).toBe(400);
    expect((await app.inject('/api/db/0/reports/types?bogus=1')).statusCode).toBe(400);
    expect((await app.inject('/api/db/7/reports/types')).statusCode).toBe(400);
  });

  it('serves the page with its scripts, style and catalog inside, and a policy that lets only those run', async () => {
    const page = await app.inject('/db/0');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    // No markup names another origin (the scripts name the SVG namespace, which is not a request).
    expect(page.body.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '')).not.toMatch(/https?:\/\//);
    const inline = [...page.body.matchAll(/<(script|style)>([\s\S]*?)<\/\1>/g)];
    expect(inline.map((m) => m[1])).toEqual(['style', ...PAGE_SCRIPTS.map(() => 'script')]);
    for (const [i, s] of ['style.css', ...PAGE_SCRIPTS].entries()) {
      const served = await app.inject(`/assets/${s}`);
      expect(served.statusCode).toBe(200);
      const text = inline[i]?.[2] ?? '';
      expect(text).toBe(served.body);
      const hash = createHash('sha256').update(text).digest('base64');
      expect(policy).toContain(`${i === 0 ? 'style-src' : 'script-src'} 'self' `);
      expect(policy).toContain(`'sha256-${hash}'`);
    }
    const catalog = /<script type="application\/json" id="sluice-catalog">([\s\S]*?)<\/script>/.exec(page.body)?.[1] ?? '';
    expect(JSON.parse(catalog)).toEqual((await app.inject('/api/catalog')).json());
    expect((await app.inject('/assets/..%2Fpackage.json')).statusCode).toBe(404);
  });
});

describe('dashboard API keys', () => {
  it('refuses a request without a key, takes one as a header, or once in the URL and then as a cookie', async () => {
    expect((await locked.inject('/')).statusCode).toBe(401);
    expect((await locked.inject('/api/catalog')).statusCode).toBe(401);
    expect((await locked.inject({ url: '/api/catalog', headers: { authorization: 'Bearer wrong-key-1' } })).statusCode).toBe(401);
    expect((await locked.inject({ url: '/api/catalog', headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(200);
    const first = await locked.inject(`/?key=${KEY}`);
    expect(first.statusCode).toBe(200);
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect((await locked.inject({ url: '/api/catalog', headers: { cookie: cookie.split(';')[0] ?? '' } })).statusCode).toBe(200);
  });
});
