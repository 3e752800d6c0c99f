import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSluice, tempDir } from '../helpers/cli.js';
import { runSluiceAsync } from './enrich-cli.js';
import { startFakeIntelApi, type FakeRules } from './fake-intel-api.js';

const BAD = 'a'.repeat(64);
const GOOD = 'b'.repeat(64);
const NEW = 'c'.repeat(64);
const VT_ENV = { VT_API_KEY: 'test-vt-key', DSHIELD_EMAIL: 'ops@example.org' };

/** Four sessions: s1 downloads a malicious file from a clean IP; s2 a clean file from a listed IP; ... */
function fixture(): string {
  const ev = (o: Record<string, unknown>) => JSON.stringify({ timestamp: '2024-01-01T00:00:00Z', sensor: 'h1', ...o });
  return [
    ev({ eventid: 'cowrie.session.connect', session: 's1', src_ip: '198.51.100.1' }),
    ev({ eventid: 'cowrie.session.file_download', session: 's1', src_ip: '198.51.100.1', url: 'http://x/m', shasum: BAD.toUpperCase() }),
    ev({ eventid: 'cowrie.session.connect', session: 's2', src_ip: '203.0.113.7' }),
    ev({ eventid: 'cowrie.session.file_download', session: 's2', src_ip: '203.0.113.7', url: 'http://x/g', shasum: GOOD }),
    ev({ eventid: 'cowrie.session.connect', session: 's3', src_ip: '203.0.113.7' }),
    ev({ eventid: 'cowrie.session.file_download', session: 's3', src_ip: '203.0.113.7', url: 'http://x/n', shasum: NEW }),
    ev({ eventid: 'cowrie.session.connect', session: 's4', src_ip: '192.0.2.9' }),
    ev({ eventid: 'cowrie.session.file_download', session: 's4', src_ip: '192.0.2.9', url: 'http://x/m2', shasum: BAD }),
  ].join('\n') + '\n';
}

const RULES = (): FakeRules => ({
  vt: { [BAD]: 12, [GOOD]: 0 },
  dshield: { '203.0.113.7': 42 },
});

/** The fixture ingested once; each test gets a copy of its folder (an ingest process per test cost more than the test). */
let template: string;
let dir: string;
let db: string;

beforeAll(() => {
  template = tempDir('sluice-enrich-template-');
  writeFileSync(join(template, 'cowrie.json'), fixture());
  const r = runSluice(['ingest', join(template, 'cowrie.json'), '--profile', 'cowrie', '--db', join(template, 'h.db'), '--no-progress']);
  expect(r.code, r.stderr).toBe(0);
});

beforeEach(() => {
  dir = tempDir('sluice-enrich-');
  cpSync(template, dir, { recursive: true });
  db = join(dir, 'h.db');
});

let closeApi: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeApi?.();
  closeApi = undefined;
});

async function api(rules: FakeRules) {
  const a = await startFakeIntelApi(rules);
  closeApi = a.close;
  return a;
}

function enrichArgs(url: string, extra: string[] = []): string[] {
  return ['enrich', '--profile', 'cowrie', '--db', db, '--vt-url', url, '--dshield-url', url,
    '--vt-rate-per-min', '6000', '--dshield-rate-per-min', '6000', '--json', ...extra];
}

function flags(): Record<string, [number, number]> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare('SELECT session_id, vt_flagged, dshield_flagged FROM session_metrics ORDER BY session_id').all() as {
      session_id: string;
      vt_flagged: number;
      dshield_flagged: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.session_id, [r.vt_flagged, r.dshield_flagged]]));
  } finally {
    d.close();
  }
}

interface Summary {
  services: { service: string; keys: number; cached: number; fetched: number; flagged: number; unknown: number; errors: number; backoffs: number; flaggedSessions: number; disabled: string | null }[];
}
/** Time between consecutive requests, in ms. */
const gaps = (reqs: readonly { at: number }[]): number[] => reqs.slice(1).map((r, i) => r.at - (reqs[i]?.at ?? r.at));
const svc = (stdout: string, name: string) => (JSON.parse(stdout) as Summary).services.find((s) => s.service === name)!;

describe('sluice enrich --profile cowrie', () => {
  it('looks up hashes and IPs, caches the answers and flags the right sessions', async () => {
    const a = await api(RULES());
    const r = await runSluiceAsync(enrichArgs(a.url), VT_ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(flags()).toEqual({ s1: [1, 0], s2: [0, 1], s3: [0, 1], s4: [1, 0] });
    const vt = svc(r.stdout, 'vt');
    expect(vt).toMatchObject({ keys: 3, fetched: 3, flagged: 1, unknown: 1, errors: 0, flaggedSessions: 2 });
    expect(svc(r.stdout, 'dshield')).toMatchObject({ keys: 3, fetched: 3, flagged: 1, unknown: 2, flaggedSessions: 2 });
    // Hashes are looked up once each, lower-cased; the key goes in x-apikey and is never printed.
    const vtPaths = a.seen.filter((s) => s.path.startsWith('/api/v3/')).map((s) => s.path).sort();
    expect(vtPaths).toEqual([BAD, GOOD, NEW].map((h) => `/api/v3/files/${h}`));
    expect(a.seen.find((s) => s.path.startsWith('/api/ip/'))?.headers['user-agent']).toContain('ops@example.org');
    expect(r.stdout + r.stderr).not.toContain('test-vt-key');
    const d = new Database(db, { readonly: true });
    const cached = d.prepare("SELECT key, flagged FROM enrichment_cache WHERE service = 'vt' ORDER BY key").all();
    const version = d.prepare("SELECT max(version) AS v FROM schema_version WHERE component = 'cowrie'").get() as { v: number };
    d.close();
    expect(cached).toEqual([{ key: BAD, flagged: 1 }, { key: GOOD, flagged: 0 }, { key: NEW, flagged: 0 }]);
    expect(version.v).toBeGreaterThanOrEqual(3);
  });

  it('runs in the common harness: its status file counts lookups, cached answers and errors', async () => {
    const a = await api(RULES());
    const status = join(tempDir(), 'enrich-status.json');
    const r = await runSluiceAsync(enrichArgs(a.url, ['--status-file', status]), VT_ENV);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(status, 'utf8')) as { job: string; phase: string; counts: { read: number; written: number; bad: number } };
    expect(doc).toMatchObject({ job: 'enrich', phase: 'done', counts: { read: 6, written: 6, bad: 0 } });
  });

  it('answers from the cache on a second run: no request at all', async () => {
    const a = await api(RULES());
    expect((await runSluiceAsync(enrichArgs(a.url), VT_ENV)).code).toBe(0);
    const first = a.seen.length;
    const r = await runSluiceAsync(enrichArgs(a.url), VT_ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(a.seen.length).toBe(first);
    expect(svc(r.stdout, 'vt')).toMatchObject({ cached: 3, fetched: 0, flaggedSessions: 2 });
    expect(svc(r.stdout, 'dshield')).toMatchObject({ cached: 3, fetched: 0, flaggedSessions: 2 });
  });

  it('fetches again once the cached answer is older than the TTL, and clears a flag that no longer holds', async () => {
    const rules = RULES();
    const a = await api(rules);
    expect((await runSluiceAsync(enrichArgs(a.url, ['--ttl-hours', '24']), VT_ENV)).code).toBe(0);
    // 25 hours later, for one IP: DShield no longer lists it.
    const d = new Database(db);
    d.prepare("UPDATE enrichment_cache SET fetched_at = ? WHERE service = 'dshield' AND key = '203.0.113.7'").run(
      new Date(Date.now() - 25 * 3_600_000).toISOString(),
    );
    d.close();
    delete rules.dshield['203.0.113.7'];
    const before = a.seen.length;
    const r = await runSluiceAsync(enrichArgs(a.url, ['--ttl-hours', '24']), VT_ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(a.seen.slice(before).map((s) => s.path)).toEqual(['/api/ip/203.0.113.7?json']);
    expect(flags()).toEqual({ s1: [1, 0], s2: [0, 0], s3: [0, 0], s4: [1, 0] });
  });

  it('backs off on 429 (Retry-After) and then succeeds', async () => {
    const rules = RULES();
    rules.tooMany = { [`/api/v3/files/${BAD}`]: { times: 2, retryAfter: '1' } };
    const a = await api(rules);
    const r = await runSluiceAsync(enrichArgs(a.url), VT_ENV);
    expect(r.code, r.stderr).toBe(0);
    const hits = a.seen.filter((s) => s.path === `/api/v3/files/${BAD}`);
    expect(hits).toHaveLength(3);
    for (const g of gaps(hits)) expect(g).toBeGreaterThanOrEqual(950);
    expect(svc(r.stdout, 'vt')).toMatchObject({ backoffs: 2, errors: 0, flagged: 1 });
    expect(flags().s1).toEqual([1, 0]);
  });

  it('backs off exponentially on a 429 without Retry-After', async () => {
    const rules = RULES();
    rules.tooMany = { '/api/ip/192.0.2.9?json': { times: 1, retryAfter: '' } };
    const a = await api(rules);
    const r = await runSluiceAsync(enrichArgs(a.url), VT_ENV);
    expect(r.code, r.stderr).toBe(0);
    const hits = a.seen.filter((s) => s.path === '/api/ip/192.0.2.9?json');
    expect(hits).toHaveLength(2);
    for (const g of gaps(hits)) expect(g).toBeGreaterThanOrEqual(950);
  });

  it('counts a 500 as an error (exit 1), keeps the other answers, and retries that key next run', async () => {
    const rules = RULES();
    rules.failing = new Set([`/api/v3/files/${BAD}`]);
    const a = await api(rules);
    const r = await runSluiceAsync(enrichArgs(a.url), VT_ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SLUICE_E_ENRICH');
    expect(svc(r.stdout, 'vt')).toMatchObject({ fetched: 2, errors: 1, flaggedSessions: 0 });
    expect(flags().s2).toEqual([0, 1]);
    rules.failing.clear();
    const before = a.seen.length;
    const again = await runSluiceAsync(enrichArgs(a.url), VT_ENV);
    expect(again.code, again.stderr).toBe(0);
    expect(a.seen.slice(before).map((s) => s.path)).toEqual([`/api/v3/files/${BAD}`]);
    expect(flags()).toEqual({ s1: [1, 0], s2: [0, 1], s3: [0, 1], s4: [1, 0] });
  });

  it('keeps to the rate limit: requests evenly spaced', async () => {
    const a = await api(RULES());
    // 300 a minute = one every 200 ms; VirusTotal skipped (no key).
    const r = await runSluiceAsync(enrichArgs(a.url, ['--dshield-rate-per-min', '300']));
    expect(r.code, r.stderr).toBe(0);
    expect(svc(r.stdout, 'vt').disabled).toContain('VT_API_KEY');
    const hits = a.seen.filter((s) => s.path.startsWith('/api/ip/'));
    expect(hits).toHaveLength(3);
    for (const g of gaps(hits)) expect(g).toBeGreaterThanOrEqual(185);
  });

  it('--dry-run sends nothing and writes nothing; --limit caps the lookups', async () => {
    const a = await api(RULES());
    const dry = await runSluiceAsync(enrichArgs(a.url, ['--dry-run']), VT_ENV);
    expect(dry.code, dry.stderr).toBe(0);
    expect(a.seen).toHaveLength(0);
    expect(svc(dry.stdout, 'vt')).toMatchObject({ keys: 3, fetched: 3 });
    const limited = await runSluiceAsync(enrichArgs(a.url, ['--limit', '1']), VT_ENV);
    expect(limited.code, limited.stderr).toBe(0);
    expect(a.seen).toHaveLength(2);
    expect(svc(limited.stdout, 'vt')).toMatchObject({ fetched: 1, deferred: 2 });
  });

  it('prints a one-line summary without --json, and refuses a missing database with exit 2', async () => {
    const a = await api(RULES());
    const args = enrichArgs(a.url).filter((x) => x !== '--json');
    const r = await runSluiceAsync(args, VT_ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sluice: enrich: vt 3 keys: 3 fetched \(1 flagged, 1 unknown\), 0 cached, 0 errors, 2 sessions flagged; dshield 3 keys/);
    const missing = await runSluiceAsync(['enrich', '--db', join(dir, 'nope.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SLUICE_E_NO_DATABASE');
  });
});
