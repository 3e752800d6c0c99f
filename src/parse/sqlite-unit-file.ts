import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SluiceError } from '../core/errors.js';
import { byteCap } from '../decoders/byte-cap.js';
import type { FileRowsDescriptor } from '../decoders/decoder-descriptor.js';
import { fileDecoderOf, fileUnpacker } from '../decoders/registry.js';
import { unitTooLarge } from '../decoders/unit-too-large.js';

/** A database unit as a local file, the decoder that reads its rows, and how to remove what was made for it. */
export interface SqliteUnitFile {
  path: string;
  rows: FileRowsDescriptor;
  /** Removes temp files made for the unit (none for a plain `.db` in a spool folder). */
  cleanup(): Promise<void>;
}

/** Bytes of a file's head its format is told by (a SQLite header is 16). */
const HEAD_BYTES = 64;

/** Containers unpacked inside each other at most (a zip of a zip), so a crafted unit cannot recurse forever. */
const MAX_NESTING = 2;

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
      await pipeline(await stored(), byteCap(limits.maxBytes, () => unitTooLarge(name, limits.maxBytes, 'downloads')), createWriteStream(path));
    }
    // The decoder registry's sniffs decide, never the name: containers are unpacked and sniffed again.
    for (let depth = 0; ; depth++) {
      const head = await readHead(path, HEAD_BYTES);
      const decoder = fileDecoderOf(head);
      if (decoder?.kind === 'file-rows') return { path, rows: decoder, cleanup };
      if (decoder?.kind !== 'file-container' || depth >= MAX_NESTING) throw notDatabase(name, head);
      const inner = tempName(dir, '.db');
      made.push(inner);
      const unpack = await fileUnpacker(decoder);
      await unpack(path, inner, name, { maxBytes: limits.maxBytes, dir, freeBytes: limits.freeBytes ?? freeBytesOf });
      path = inner;
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** A unit that holds no database the registry reads (after its containers were unpacked). */
function notDatabase(name: string, head: Buffer): SluiceError {
  return new SluiceError('SLUICE_E_SOURCE', `${name}: neither a zip nor a SQLite database (first bytes ${head.subarray(0, 8).toString('hex')})`, {
    because: 'not_sqlite',
  });
}

async function freeBytesOf(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
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
