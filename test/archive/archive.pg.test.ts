import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataOf } from '../../src/archive/archive-job.js';
import { runSluice, SLUICE_BIN, tempDir } from '../helpers/cli.js';
import { exited, startServe, type ServeProcess } from '../cli/serve-helpers.js';
import { PG_URL, pgAvailable, pgQuery, uniqueSchema } from '../server/pg-helpers.js';

const available = await pgAvailable();

type ListBody = { total: number; ldos: Array<{ id: string; ldo_id: string }> };

async function listAll(url: string): Promise<ListBody['ldos']> {
  const out: ListBody['ldos'] = [];
  let cursor = '';
  for (;;) {
    const page = (await (await fetch(`${url}/ingest/list?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).json()) as ListBody & { next_cursor: string | null };
    out.push(...page.ldos);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
}

describe.skipIf(!available)('sluice archive ldo against real PostgreSQL', () => {
  const schema = uniqueSchema('ldo_arch');
  let serve: ServeProcess;

  beforeAll(async () => {
    await pgQuery(`CREATE SCHEMA "${schema}"`);
    await pgQuery(`CREATE TABLE "${schema}".metadata_payloads (id serial primary key, cid varchar unique not null, payload_data json,
      created_at timestamp, updated_at timestamp, is_mock boolean)`);
    await pgQuery(`CREATE TABLE "${schema}".predictions (id serial, ldo_id varchar(100), device_id varchar(100), model_version varchar(50),
      prediction varchar(50), confidence decimal(5,4), sensor_data jsonb, context_data jsonb, is_mock boolean, created_at timestamp)`);
    await pgQuery(`INSERT INTO "${schema}".metadata_payloads (cid, payload_data, created_at, updated_at, is_mock)
      SELECT 'CID-' || g, json_build_object('g', g, 'temp', g * 0.5), now() - interval '100 days' + g * interval '1 minute', now(), g % 2 = 0
      FROM generate_series(1, 300) g`);
    await pgQuery(`INSERT INTO "${schema}".metadata_payloads (cid, payload_data, created_at, updated_at, is_mock)
      SELECT 'NEW-' || g, '{}'::json, now() - interval '1 day', now(), false FROM generate_series(1, 20) g`);
    await pgQuery(`INSERT INTO "${schema}".predictions (ldo_id, device_id, model_version, prediction, confidence, sensor_data, context_data, is_mock, created_at)
      SELECT 'LDO-' || g, 'dev-1', 'v2', 'ok', 0.9731, jsonb_build_object('t', g), jsonb_build_object('line', 3), false,
             now() - (CASE WHEN g <= 40 THEN interval '120 days' ELSE interval '2 days' END)
      FROM generate_series(1, 50) g`);
    serve = await startServe(['--store', `file:${join(tempDir(), 'store')}`]);
  });
  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    if (serve) await exited(serve.child);
    await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  const args = (table: string, extra: string[] = []): string[] => [
    'archive', 'ldo', '--from', PG_URL, '--table', `${schema}.${table}`, '--id-column', 'id', '--time-column', 'created_at',
    '--older-than', '90d', '--to', serve.url, ...extra,
  ];

  it('counts without changing anything in a dry run', () => {
    const r = runSluice(args('metadata_payloads', ['--dry-run']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('300 rows');
  });

  it('SIGKILLed at random moments and rerun: every old row stored once and deleted once, new rows untouched', async () => {
    // Kill each of the first runs once the table has shrunk past a random mark: truly midway.
    const remaining = async (): Promise<number> =>
      Number((await pgQuery<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".metadata_payloads`))[0]?.n);
    let kills = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      const child = spawn(process.execPath, [SLUICE_BIN, ...args('metadata_payloads', ['--page-size', '25', '--concurrency', '3'])], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const done = exited(child);
      if (kills < 3) {
        const start = await remaining();
        const mark = start - 25 - Math.floor(Math.random() * 60);
        let finished = false;
        void done.then(() => (finished = true));
        while (!finished && (await remaining()) > mark) await new Promise((r) => setTimeout(r, 15));
        if (!finished) {
          child.kill('SIGKILL');
          await done;
          kills++;
          expect(await remaining()).toBeGreaterThan(20);
          continue;
        }
      }
      expect(await done, err).toBe(0);
      break;
    }
    expect(kills).toBeGreaterThan(0);
    const left = await pgQuery<{ cid: string }>(`SELECT cid FROM "${schema}".metadata_payloads ORDER BY id`);
    expect(left.map((r) => r.cid)).toEqual(Array.from({ length: 20 }, (_, i) => `NEW-${i + 1}`));
    const stored = await listAll(serve.url);
    const ids = stored.map((l) => l.ldo_id).sort((a, b) => Number(a) - Number(b));
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => String(i + 1)));
    const one = (await (await fetch(`${serve.url}/ingest/ldo/${stored.find((l) => l.ldo_id === '7')!.id}`)).json()) as {
      metadata: Record<string, unknown>;
    };
    expect(one.metadata).toMatchObject({ ldo_id: '7', cid: 'CID-7', payload_data: { g: 7, temp: 3.5 }, is_mock: false });
  });

  it('--keep-metadata empties the payload columns instead of deleting, and a rerun sends nothing new', async () => {
    const r = runSluice(args('predictions', ['--keep-metadata', '--json']));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 40, stored: 40, removed: 40, conflicts: 0 });
    const rows = await pgQuery<{ n: string; emptied: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE sensor_data IS NULL AND context_data IS NULL) AS emptied FROM "${schema}".predictions`,
    );
    expect(rows[0]).toEqual({ n: '50', emptied: '40' });
    const again = runSluice(args('predictions', ['--keep-metadata', '--json']));
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: 0, stored: 0 });
    const stored = await listAll(serve.url);
    expect(stored).toHaveLength(340);
  });

  it('keeps a row\'s own ldo_id beside the id column', () => {
    expect(metadataOf({ id: 3, ldo_id: 'LDO-3', x: 1 }, 'id')).toEqual({ id: 3, ldo_id: '3', source_ldo_id: 'LDO-3', x: 1 });
    expect(metadataOf({ ldo_id: 'LDO-3' }, 'ldo_id')).toEqual({ ldo_id: 'LDO-3' });
  });
});
