import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
import { runSluiceWith, summaryOf } from '../helpers/spool-cli.js';
import { appLogEntries, unitName, type GeneratedUnit } from '../helpers/spool-fixtures.js';
import { localS3Client, putAll } from '../helpers/spool-s3.js';
import { sqliteLedger, sqliteLogs } from '../helpers/spool-samples.js';

const BUCKET = 'app-logs';
const PREFIX = 'prod/api/';
/** More keys than one ListObjectsV2 page (1,000), so the lister must follow continuation tokens. */
const FILLERS = 1_000;

describe('sluice spool --from s3://bucket/prefix (local S3-compatible server)', () => {
  let s3: LocalS3;
  const early: GeneratedUnit[] = []; // sort before the fillers: first page
  const late: GeneratedUnit[] = []; // sort after them: second page
  const keyOf = new Map<string, string>();
  const base = Date.parse('2025-04-01T00:00:00.000Z');

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    const objects: { key: string; body: Buffer | string }[] = [];
    for (let i = 0; i < 30; i++) {
      // Times interleave across the two pages: page order is not time order.
      const at = base + i * 3_600_000;
      const unit = { name: unitName(at, 500 + i), entries: appLogEntries(10 + (i % 5), { seed: 900 + i, startMs: at - 30_000 }) };
      const key = i % 2 === 0 ? `${PREFIX}${unit.name}` : `${PREFIX}zz-late/${unit.name}`;
      (i % 2 === 0 ? early : late).push(unit);
      keyOf.set(unit.name, key);
      objects.push({ key, body: gzipSync(JSON.stringify(unit.entries)) });
    }
    for (let i = 0; i < FILLERS; i++) objects.push({ key: `${PREFIX}m-filler/${String(i).padStart(5, '0')}.txt`, body: 'x' });
    objects.push({ key: `${PREFIX}readme.txt`, body: 'not a unit' });
    objects.push({ key: `other/${unitName(base, 1)}`, body: gzipSync('[{"level":30}]') }); // outside the prefix
    await putAll(localS3Client(s3), BUCKET, objects);
  }, 120_000);
  afterAll(async () => s3?.stop());

  it('the fixture needs more than one listing page', async () => {
    const page = await localS3Client(s3).send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
    expect(page.IsTruncated).toBe(true);
    const firstPage = (page.Contents ?? []).map((c) => c.Key ?? '');
    expect(late.some((u) => firstPage.includes(keyOf.get(u.name) ?? ''))).toBe(false);
  });

  it('ingests every unit of the prefix across pages, oldest first by the time in the name, and nothing else', async () => {
    const work = tempDir();
    const db = join(work, 'logs.db');
    const args = ['spool', '--from', `s3://${BUCKET}/${PREFIX}`, '--db', db, '--mode', 'once', '--json', '--no-progress'];
    const run = await runSluiceWith(args, { env: s3.env });
    expect(run.code, run.stderr).toBe(0);
    const all = [...early, ...late];
    const total = all.reduce((n, u) => n + u.entries.length, 0);
    expect(summaryOf(run)).toMatchObject({ inserted: total, units_done: 30, bad: 0 });

    const rows = sqliteLogs(db);
    expect(rows).toHaveLength(total);
    const byName = new Map(all.map((u) => [u.name, u.entries]));
    for (const r of rows) expect(r.raw_data).toEqual(byName.get(r.source_file)?.[r.source_index - 1]);

    const ledger = sqliteLedger(db);
    expect(ledger.map((l) => l.key).sort()).toEqual([...keyOf.values()].sort());
    expect(ledger.every((l) => l.bucket === BUCKET && l.status === 'COMPLETED')).toBe(true);

    // Chronological: rows went in unit by unit in the order of the times in the names (not key order),
    // and the ledger's COMPLETED times follow its sort keys.
    const chronological = all.map((u) => u.name).sort();
    expect([...new Set(rows.map((r) => r.source_file))]).toEqual(chronological);
    const byCompletion = [...ledger].sort((a, b) => (a.processed_at ?? '').localeCompare(b.processed_at ?? '') || a.sort_key.localeCompare(b.sort_key));
    expect(byCompletion.map((l) => l.sort_key)).toEqual(ledger.map((l) => l.sort_key).sort());
    expect(byCompletion.map((l) => l.key)).toEqual(chronological.map((n) => keyOf.get(n)));

    const again = await runSluiceWith(args, { env: s3.env });
    expect(again.code, again.stderr).toBe(0);
    expect(summaryOf(again)).toMatchObject({ read: 0, inserted: 0 });
  });

  it('--since filters units by the time in their names (a filter, not the state)', async () => {
    const db = join(tempDir(), 'since.db');
    const since = new Date(base + 20 * 3_600_000).toISOString();
    const run = await runSluiceWith(['spool', '--from', `s3://${BUCKET}/${PREFIX}`, '--db', db, '--since', since, '--json', '--no-progress'], { env: s3.env });
    expect(run.code, run.stderr).toBe(0);
    expect(sqliteLedger(db).map((l) => l.key.split('/').pop()).sort()).toEqual(
      [...early, ...late].map((u) => u.name).sort().slice(20),
    );
  });
});
