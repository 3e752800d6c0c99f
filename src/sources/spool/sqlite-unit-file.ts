import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { SluiceError } from '../../core/errors.js';
import { byteCap } from './byte-cap.js';

/** A SQLite unit as a local file, and how to remove what was made for it. */
export interface SqliteUnitFile {
  path: string;
  /** Removes temp files made for the unit (none for a plain `.db` in a spool folder). */
  cleanup(): Promise<void>;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Where units are unpacked: `unit-<pid>-<random>.db`, so files of a dead process can be told apart.
 * One folder per user, readable by that user only (the databases are the user's data).
 */
export function unitTempDir(): string {
  return join(tmpdir(), `sluice-units-${process.getuid?.() ?? 'user'}`);
}

/**
 * Removes temp files left by processes that are gone (a crash mid-unit). Files of live processes
 * (another worker on this machine) are left alone.
 */
export async function removeStaleUnitFiles(dir = unitTempDir()): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const pid = Number(/^unit-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await rm(join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
}

/** Limits on what a unit may put on disk. */
export interface UnitFileLimits {
  /** Largest database a unit may unpack (or download) to, in bytes: `--max-unit-bytes`. */
  maxBytes: number;
  /** Where temp files go (default `unitTempDir()`). */
  dir?: string | undefined;
  /** Free bytes in `dir` (default from `statfs`); a test can pretend the disk is full. */
  freeBytes?: ((dir: string) => Promise<number>) | undefined;
}

/** Default `--max-unit-bytes`: 1 GiB, about 27 times the largest real Megastream chunk (38 MB). */
export const DEFAULT_MAX_UNIT_BYTES = 1024 * 1024 * 1024;

/**
 * The unit as a SQLite file: a zip's database entry is streamed to a temp file (never held in
 * memory); a `.db.zip` that is not a zip but a SQLite file (such chunks exist) is used as it is. A
 * local file is read in place; a remote one (`stored`) is first streamed to a temp file. Nothing past
 * `limits.maxBytes` is written, whatever the zip's directory says (`unit_too_large`, for good), and
 * an entry is not unpacked onto a disk without room for it (`no_space`, retried later).
 */
export async function sqliteUnitFile(
  name: string,
  local: string | undefined,
  stored: () => Promise<Readable>,
  limits: UnitFileLimits = { maxBytes: DEFAULT_MAX_UNIT_BYTES },
): Promise<SqliteUnitFile> {
  const dir = limits.dir ?? unitTempDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const made: string[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(made.map((p) => rm(p, { force: true })));
  };
  try {
    let path = local;
    if (path === undefined) {
      path = tempName(dir, '.download');
      made.push(path);
      await pipeline(await stored(), byteCap(limits.maxBytes, () => tooLarge(name, limits.maxBytes, 'downloads')), createWriteStream(path));
    }
    const head = await readHead(path, 16);
    if (head.subarray(0, 4).equals(ZIP_MAGIC)) {
      const db = tempName(dir, '.db');
      made.push(db);
      await unzipDatabase(path, db, name, limits, dir);
      return { path: db, cleanup };
    }
    if (head.equals(SQLITE_MAGIC)) return { path, cleanup };
    throw new SluiceError('SLUICE_E_SOURCE', `${name}: neither a zip nor a SQLite database (first bytes ${head.subarray(0, 8).toString('hex')})`, {
      because: 'not_sqlite',
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** A unit over the cap: FAILED for good (a retry would unpack the same bytes). */
function tooLarge(name: string, maxBytes: number, how: string): SluiceError {
  return new SluiceError('SLUICE_E_SOURCE', `${name}: unit_too_large: ${how} to more than --max-unit-bytes ${maxBytes}; stopped there`, {
    because: 'unit_too_large',
  });
}

async function freeBytesOf(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
}

/** Streams the zip's database entry (the one `.db` entry, else the only entry) to `target`. */
async function unzipDatabase(zipPath: string, target: string, name: string, limits: UnitFileLimits, dir: string): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (err) {
    throw new SluiceError('SLUICE_E_SOURCE', `${name}: broken zip (${(err as Error).message})`, { cause: err, because: 'broken_zip' });
  }
  try {
    const entries: yauzl.Entry[] = [];
    for await (const entry of zip.eachEntry()) if (!entry.fileName.endsWith('/')) entries.push(entry);
    const dbs = entries.filter((e) => /\.(db|sqlite3?)$/i.test(e.fileName));
    const entry = dbs.length === 1 ? dbs[0] : entries.length === 1 ? entries[0] : undefined;
    if (!entry) {
      throw new SluiceError('SLUICE_E_SOURCE', `${name}: expected one .db entry in the zip, found ${entries.map((e) => e.fileName).join(', ') || 'none'}`, {
        because: 'broken_zip',
      });
    }
    // The directory's size is only believed to refuse early; the bytes are counted as they come.
    if (entry.uncompressedSize > limits.maxBytes) throw tooLarge(name, limits.maxBytes, `${entry.fileName} says it unpacks (${entry.uncompressedSize} bytes)`);
    const free = await (limits.freeBytes ?? freeBytesOf)(dir);
    if (free < entry.uncompressedSize) {
      throw new SluiceError('SLUICE_E_SOURCE', `${name}: no_space: ${entry.fileName} unpacks to ${entry.uncompressedSize} bytes, ${dir} has ${free} free`, {
        because: 'no_space',
      });
    }
    await extractEntry(zip, entry, target, name, byteCap(limits.maxBytes, () => tooLarge(name, limits.maxBytes, `${entry.fileName} unpacks`)));
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new SluiceError('SLUICE_E_SOURCE', `${name}: no_space: the disk of ${dir} filled up while unpacking`, { cause: err, because: 'no_space' });
    }
    throw new SluiceError('SLUICE_E_SOURCE', `${name}: broken zip (${(err as Error).message})`, { cause: err, because: 'broken_zip' });
  } finally {
    zip.close();
  }
}

/** Bytes per inflate output chunk and per file write: 1 MiB, not zlib's 16 KiB (64 times fewer callbacks and writes). */
const EXTRACT_CHUNK = 1024 * 1024;

/**
 * Writes a zip entry's content to `target`. A deflated entry is inflated here, with big chunks, and its
 * size checked against the directory's (a cut-short entry is an error, not a short database).
 */
async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, target: string, name: string, cap: Transform): Promise<void> {
  const out = createWriteStream(target, { highWaterMark: EXTRACT_CHUNK });
  if (entry.compressionMethod !== 8) {
    await pipeline(await zip.openReadStreamPromise(entry), cap, out);
    return;
  }
  const raw = await zip.openReadStreamPromise(entry, { decompress: false });
  let written = 0;
  const inflate = createInflateRaw({ chunkSize: EXTRACT_CHUNK });
  inflate.on('data', (chunk: Buffer) => {
    written += chunk.length;
  });
  await pipeline(raw, inflate, cap, out);
  if (written !== entry.uncompressedSize) {
    throw new SluiceError('SLUICE_E_SOURCE', `${name}: broken zip (${entry.fileName} inflates to ${written} bytes, the directory says ${entry.uncompressedSize})`, {
      because: 'broken_zip',
    });
  }
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function tempName(dir: string, suffix: string): string {
  return join(dir, `unit-${process.pid}-${randomBytes(6).toString('hex')}${suffix}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
