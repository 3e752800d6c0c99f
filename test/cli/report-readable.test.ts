import { existsSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_CELL_MAX } from '../../src/reports/format-value.js';
import { runSluice, SHARED_DATA, tempDir } from '../helpers/cli.js';
import { parseCsv } from '../reports/helpers/csv-parse.js';

/** CSV rows as objects keyed by the header. */
function parse(text: string, _options: { columns: true }): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

const SAMPLE = fileURLToPath(new URL('../../logs/bridge_20250829.ndjson', import.meta.url));
const MEGASTREAM = join(SHARED_DATA, 'bluesky', 'ingex-megastream');
const megastream = existsSync(MEGASTREAM);
if (!megastream && process.env.CI === 'true') throw new Error(`CI: the shared Megastream samples are missing (${MEGASTREAM})`);

describe('reports a person can read', () => {
  let bridgeDb: string;
  beforeAll(() => {
    bridgeDb = join(tempDir(), 'bridge.db');
    const r = runSluice(['ingest', SAMPLE, '--db', bridgeDb, '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('bridge tables show epoch-ms columns as ISO times; CSV and JSON keep the raw numbers', () => {
    const csv = parse(runSluice(['report', 'sessions', '--db', bridgeDb, '--format', 'csv']).stdout, { columns: true }) as Array<Record<string, string>>;
    const table = runSluice(['report', 'sessions', '--db', bridgeDb, '--format', 'table']).stdout;
    const json = JSON.parse(runSluice(['report', 'sessions', '--db', bridgeDb, '--format', 'json']).stdout) as Array<Record<string, unknown>>;
    expect(csv.length).toBeGreaterThan(0);
    for (const [i, row] of csv.entries()) {
      expect(row.first_ts_ms).toMatch(/^\d{13}$/);
      expect(json[i]?.first_ts_ms).toBe(Number(row.first_ts_ms));
      expect(table).toContain(new Date(Number(row.first_ts_ms)).toISOString());
      expect(table).toContain(new Date(Number(row.last_ts_ms)).toISOString());
      expect(table).not.toContain(String(row.first_ts_ms));
    }
    const gaps = runSluice(['report', 'gap_list', '--db', bridgeDb, '--threshold-sec', '0.5', '--format', 'table']).stdout;
    expect(gaps).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    const newest = Math.max(...csv.map((r) => Number(r.last_ts_ms)));
    const cadence = runSluice(['report', 'cadence', '--db', bridgeDb, '--format', 'table']).stdout.split('\n')[0];
    expect(cadence).toContain(`to ${new Date(newest).toISOString()} (ts_ms `);
  });

  it('without --profile, report takes the profile whose tables the database holds', () => {
    const dir = tempDir();
    const cowrie = join(dir, 'honeypot.db');
    const line = '{"eventid":"cowrie.session.connect","session":"abc123","src_ip":"203.0.113.7","timestamp":"2025-01-01T00:00:00.000000Z","message":"New connection"}\n';
    expect(runSluice(['ingest', '-', '--profile', 'cowrie', '--db', cowrie, '--no-progress'], { input: line }).code).toBe(0);
    const r = runSluice(['report', 'sessions', '--db', cowrie, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^session_id,first_seen/);
    expect(r.stdout).toContain('abc123');
    // And bridge is still found as before.
    expect(runSluice(['report', 'types', '--db', bridgeDb, '--format', 'csv']).stdout).toMatch(/^type,msg,/);
  });

  it('--profile nope is the catalogue\'s coded error listing the profiles, for report and for ingest', () => {
    const dir = tempDir();
    const commands = [
      ['report', 'sessions', '--db', bridgeDb],
      ['ingest', SAMPLE, '--db', join(dir, 'x.db')],
      ['follow', join(dir, 'bridge_{YYYYMMDD}.ndjson'), '--db', join(dir, 'x.db')],
      ['spool', '--from', dir, '--db', join(dir, 'x.db')],
    ];
    for (const args of commands) {
      const r = runSluice([...args, '--profile', 'nope']);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/unknown profile "nope"; expected one of: bridge, applog, cowrie, posts/);
      expect(r.stderr).toMatch(/\[SLUICE_E_UNKNOWN_PROFILE\]/);
      expect(r.stderr).not.toMatch(/Allowed choices/);
    }
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });

  it.skipIf(!megastream)('similar shows at_uri whole in a table, so it pastes into the next --uri', () => {
    const dir = tempDir();
    const chunks = join(dir, 'chunks');
    mkdirSync(chunks);
    for (const f of readdirSync(MEGASTREAM).filter((n) => n.endsWith('.db.zip'))) copyFileSync(join(MEGASTREAM, f), join(chunks, f));
    const db = join(dir, 'posts.db');
    expect(runSluice(['spool', '--profile', 'posts', '--from', chunks, '--into', `sqlite:${db}`, '--no-progress']).code).toBe(0);
    const uris = (parse(runSluice(['report', 'search', '--db', db, '--q', 'the', '--format', 'csv', '--limit', '0']).stdout, { columns: true })).map((r) => r.at_uri ?? '');
    const all = (parse(runSluice(['report', 'authors', '--db', db, '--format', 'csv']).stdout, { columns: true }) as unknown[]).length;
    expect(all).toBeGreaterThan(0);
    const start = uris.find((u) => u.length > TABLE_CELL_MAX) ?? uris[0];
    expect(start?.length, 'a real at_uri is longer than a table cell').toBeGreaterThan(TABLE_CELL_MAX);
    const table = runSluice(['report', 'similar', '--db', db, '--uri', start ?? '', '--format', 'table', '--limit', '3']);
    expect(table.code, table.stderr).toBe(0);
    const next = /at:\/\/\S+/.exec(table.stdout.split('\n').slice(2).join('\n'))?.[0];
    expect(next?.length).toBeGreaterThan(TABLE_CELL_MAX);
    expect(next).not.toMatch(/…/);
    expect(table.stdout).not.toMatch(/at:\/\/\S*…/);
    const again = runSluice(['report', 'similar', '--db', db, '--uri', next ?? '', '--format', 'table', '--limit', '3']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/at:\/\/\S*…/); // content may be cut; an at_uri never
  });
});
