import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SpoolConfigSchema } from '../../src/jobs/config/spool-config.js';
import { runSpool } from '../../src/jobs/spool-job.js';
import { tempDir } from '../helpers/cli.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
import { appLogEntries, unitName } from '../helpers/spool-fixtures.js';
import { localS3Client, putAll } from '../helpers/spool-s3.js';
import { sqliteLedger, sqliteLogs } from '../helpers/spool-samples.js';

/**
 * A unit replaced between the moment it was read and its `--after` action: the listers below do the
 * replacing (a file rewritten, an object re-uploaded) right before the real action runs, which a real
 * writer can only hit by chance.
 */
const race = vi.hoisted(() => ({ replace: new Map<string, () => Promise<void>>() }));

vi.mock('../../src/sources/spool/folder-lister.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/sources/spool/folder-lister.js')>();
  class RacedFolderLister extends real.FolderLister {
    override async remove(key: string, version: string | undefined): Promise<void> {
      await race.replace.get(key)?.();
      return super.remove(key, version);
    }

    override async move(key: string, folder: string, version: string | undefined): Promise<void> {
      await race.replace.get(key)?.();
      return super.move(key, folder, version);
    }
  }
  return { ...real, FolderLister: RacedFolderLister };
});

vi.mock('../../src/sources/spool/s3-lister.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/sources/spool/s3-lister.js')>();
  class RacedS3Lister extends real.S3Lister {
    override async remove(key: string, version: string | undefined): Promise<void> {
      await race.replace.get(key)?.();
      return super.remove(key, version);
    }
  }
  return { ...real, S3Lister: RacedS3Lister };
});

const base = Date.parse('2025-04-01T00:00:00.000Z');
const unitA = unitName(base, 1, '.json');
const unitB = unitName(base + 60_000, 2, '.json');
const body = (seed: number, count: number): string => JSON.stringify(appLogEntries(count, { seed, startMs: base }));

/** Runs `sluice spool` in this process; returns its exit code and what it wrote to stderr. */
async function spool(options: Record<string, unknown>): Promise<{ exitCode: number; stderr: string }> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const r = await runSpool(SpoolConfigSchema.parse({ progress: false, ...options }));
    return { exitCode: r.exitCode, stderr: lines.join('') };
  } finally {
    write.mockRestore();
  }
}

afterEach(() => race.replace.clear());

describe('runSpool --after on a folder: a unit rewritten after it was read is kept', () => {
  it('--after delete: deletes the unchanged unit, keeps the rewritten one with a warning, and ingests it on the next run', async () => {
    const dir = tempDir('spool-after-');
    const db = join(tempDir(), 'logs.db');
    writeFileSync(join(dir, unitA), body(11, 3));
    writeFileSync(join(dir, unitB), body(12, 4));
    race.replace.set(unitB, async () => writeFileSync(join(dir, unitB), body(13, 5)));

    const first = await spool({ from: dir, into: `sqlite:${db}`, after: 'delete' });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual([unitB]);
    expect(first.stderr).toMatch(
      new RegExp(`sluice spool: warning: --after delete on ${unitB}: ${unitB} changed since it was ingested \\(version \\d+:[\\d.]+, now \\d+:[\\d.]+\\); kept so that it is ingested again\\n`),
    );
    expect(first.stderr).not.toContain(`on ${unitA}`);
    expect(readFileSync(join(dir, unitB), 'utf8')).toBe(body(13, 5));
    expect(sqliteLogs(db)).toHaveLength(3 + 4);

    // Kept with its new version: the next run takes it again, then deletes it.
    race.replace.clear();
    const second = await spool({ from: dir, into: `sqlite:${db}`, after: 'delete' });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('warning');
    expect(readdirSync(dir)).toEqual([]);
    expect(sqliteLogs(db).filter((r) => r.source_file === unitB).length).toBeGreaterThanOrEqual(5);
    expect(sqliteLedger(db).map((l) => l.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });

  it('--after move:DIR: moves the unchanged unit, keeps the rewritten one where it is with a warning', async () => {
    const dir = tempDir('spool-after-');
    const work = tempDir();
    const done = join(work, 'done');
    mkdirSync(done);
    writeFileSync(join(dir, unitA), body(21, 2));
    writeFileSync(join(dir, unitB), body(22, 2));
    race.replace.set(unitB, async () => writeFileSync(join(dir, unitB), body(23, 6)));

    const r = await spool({ from: dir, into: `sqlite:${join(work, 'logs.db')}`, after: `move:${done}` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(done)).toEqual([unitA]);
    expect(readdirSync(dir)).toEqual([unitB]);
    expect(readFileSync(join(dir, unitB), 'utf8')).toBe(body(23, 6));
    expect(r.stderr).toContain(`sluice spool: warning: --after move:${done} on ${unitB}: ${unitB} changed since it was ingested`);
  });
});

describe('runSpool --after delete on S3 (local S3-compatible server): an object re-uploaded after it was read is kept', () => {
  const BUCKET = 'spool-after';
  let s3: LocalS3;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    Object.assign(process.env, s3.env);
  });
  afterAll(async () => {
    process.env = saved;
    await s3?.stop();
  });

  it('deletes the unchanged object, keeps the re-uploaded one with a warning', async () => {
    const client = localS3Client(s3);
    const keyA = `in/${unitA}`;
    const keyB = `in/${unitB}`;
    await putAll(client, BUCKET, [
      { key: keyA, body: body(31, 3) },
      { key: keyB, body: body(32, 3) },
    ]);
    race.replace.set(keyB, () => putAll(client, BUCKET, [{ key: keyB, body: body(33, 7) }]));

    const db = join(tempDir(), 'logs.db');
    const r = await spool({ from: `s3://${BUCKET}/in/`, into: `sqlite:${db}`, after: 'delete', s3Endpoint: s3.endpoint });
    expect(r.exitCode, r.stderr).toBe(0);
    const exists = (key: string): Promise<boolean> => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(() => true, () => false);
    expect(await exists(keyA)).toBe(false);
    expect(await exists(keyB)).toBe(true);
    const kept = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyB }));
    expect(await kept.Body?.transformToString()).toBe(body(33, 7));
    expect(r.stderr).toMatch(new RegExp(`sluice spool: warning: --after delete on ${keyB}: ${keyB} changed since it was ingested \\(version "[0-9a-f]{32}", now "[0-9a-f]{32}"\\); kept so that it is ingested again\\n`));
    expect(existsSync(db)).toBe(true);
  });
});
