import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderLister } from '../../../src/sources/spool/folder-lister.js';
import { tempDir } from '../../helpers/cli.js';

const FIRST = '[{"level":30,"msg":"first"}]';
const SECOND = '[{"level":30,"msg":"second, never ingested"}]';
const CHANGED = /^a\.json changed since it was ingested \(version \d+:[\d.]+, now \d+:[\d.]+\); kept so that it is ingested again$/;

/** A spool folder holding `a.json` (FIRST), and a lister over it. */
function spool(): { dir: string; path: string; lister: FolderLister } {
  const dir = tempDir('folder-lister-');
  const path = join(dir, 'a.json');
  writeFileSync(path, FIRST);
  // An mtime well in the past: a rewrite now always has another one.
  utimesSync(path, new Date('2025-04-01T00:00:00Z'), new Date('2025-04-01T00:00:00Z'));
  return { dir, path, lister: new FolderLister(dir) };
}

/** Reads a unit through the lister, as the spool source does; returns its text. */
async function ingest(lister: FolderLister, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await lister.open(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('FolderLister --after delete: only the version that was read', () => {
  it('deletes a unit that is still the version read', async () => {
    const { path, lister } = spool();
    expect(await ingest(lister, 'a.json')).toBe(FIRST);
    await lister.remove('a.json', lister.takeVersionRead('a.json'));
    expect(existsSync(path)).toBe(false);
  });

  it('keeps a unit rewritten with other content after it was read, and says why', async () => {
    const { path, lister } = spool();
    expect(await ingest(lister, 'a.json')).toBe(FIRST);
    const read = lister.takeVersionRead('a.json');
    writeFileSync(path, SECOND);
    await expect(lister.remove('a.json', read)).rejects.toThrow(CHANGED);
    expect(readFileSync(path, 'utf8')).toBe(SECOND);
  });

  it('keeps a unit rewritten with the same size (only its modification time differs)', async () => {
    const { path, lister } = spool();
    await ingest(lister, 'a.json');
    const read = lister.takeVersionRead('a.json');
    const same = FIRST.replace('first', 'fIrSt');
    expect(same.length).toBe(FIRST.length);
    writeFileSync(path, same);
    await expect(lister.remove('a.json', read)).rejects.toThrow(CHANGED);
    expect(readFileSync(path, 'utf8')).toBe(same);
  });

  it('keeps a unit replaced by a new file renamed over it', async () => {
    const { dir, path, lister } = spool();
    await ingest(lister, 'a.json');
    const read = lister.takeVersionRead('a.json');
    writeFileSync(join(dir, 'upload.tmp'), SECOND);
    renameSync(join(dir, 'upload.tmp'), path);
    await expect(lister.remove('a.json', read)).rejects.toThrow(CHANGED);
    expect(readFileSync(path, 'utf8')).toBe(SECOND);
  });

  it('checks a unit read in place (localPath: SQLite units) the same way', async () => {
    const { path, lister } = spool();
    expect(lister.localPath('a.json')).toBe(path);
    const read = lister.takeVersionRead('a.json');
    writeFileSync(path, SECOND);
    await expect(lister.remove('a.json', read)).rejects.toThrow(CHANGED);
    expect(existsSync(path)).toBe(true);

    expect(lister.localPath('a.json')).toBe(path);
    await lister.remove('a.json', lister.takeVersionRead('a.json'));
    expect(existsSync(path)).toBe(false);
  });

  it('keeps a unit whose version read is not known; a unit already gone is no error', async () => {
    const { path, lister } = spool();
    await expect(lister.remove('a.json', undefined)).rejects.toThrow(/^a\.json: the version that was ingested is not known \(now \d+:[\d.]+\); kept$/);
    expect(existsSync(path)).toBe(true);
    await expect(lister.remove('gone.json', '3:1')).resolves.toBeUndefined();
  });

  it('spells the version read as the listing does, and forgets it once taken', async () => {
    const { path, lister } = spool();
    const listed: (string | undefined)[] = [];
    for await (const page of lister.list()) listed.push(...page.map((u) => u.version));
    const st = statSync(path);
    expect(listed).toEqual([`${st.size}:${st.mtimeMs}`]);
    await ingest(lister, 'a.json');
    expect(lister.takeVersionRead('a.json')).toBe(listed[0]);
    expect(lister.takeVersionRead('a.json')).toBeUndefined();
    expect(await lister.versionOf('a.json')).toBe(listed[0]);
    expect(await lister.versionOf('gone.json')).toBeUndefined();
  });
});

describe('FolderLister --after move:DIR: only the version that was read', () => {
  it('moves a unit that is still the version read, under its key', async () => {
    const { dir, lister } = spool();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'b.json'), FIRST);
    const done = tempDir('folder-lister-done-');
    await ingest(lister, join('sub', 'b.json'));
    await lister.move(join('sub', 'b.json'), done, lister.takeVersionRead(join('sub', 'b.json')));
    expect(existsSync(join(dir, 'sub', 'b.json'))).toBe(false);
    expect(readFileSync(join(done, 'sub', 'b.json'), 'utf8')).toBe(FIRST);
  });

  it('keeps a unit rewritten after it was read where it is, and moves nothing', async () => {
    const { path, lister } = spool();
    const done = tempDir('folder-lister-done-');
    await ingest(lister, 'a.json');
    const read = lister.takeVersionRead('a.json');
    writeFileSync(path, SECOND);
    await expect(lister.move('a.json', done, read)).rejects.toThrow(CHANGED);
    expect(readFileSync(path, 'utf8')).toBe(SECOND);
    expect(readdirSync(done)).toEqual([]);
  });
});
