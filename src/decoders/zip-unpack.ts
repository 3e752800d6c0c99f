import { createWriteStream } from 'node:fs';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { SluiceError } from '../core/errors.js';
import { byteCap } from './byte-cap.js';
import type { UnpackLimits } from './decoder-descriptor.js';
import { unitTooLarge } from './unit-too-large.js';

/**
 * Streams the zip's unit (its one `.db` entry, else its only entry) to `target`. Nothing past
 * `limits.maxBytes` is written, whatever the zip's directory says (`unit_too_large`, for good), and an
 * entry is not unpacked onto a disk without room for it (`no_space`, retried later).
 */
export async function unpackZip(zipPath: string, target: string, name: string, limits: UnpackLimits): Promise<void> {
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
    if (entry.uncompressedSize > limits.maxBytes) throw unitTooLarge(name, limits.maxBytes, `${entry.fileName} says it unpacks (${entry.uncompressedSize} bytes)`);
    const free = await limits.freeBytes(limits.dir);
    if (free < entry.uncompressedSize) {
      throw new SluiceError('SLUICE_E_SOURCE', `${name}: no_space: ${entry.fileName} unpacks to ${entry.uncompressedSize} bytes, ${limits.dir} has ${free} free`, {
        because: 'no_space',
      });
    }
    await extractEntry(zip, entry, target, name, byteCap(limits.maxBytes, () => unitTooLarge(name, limits.maxBytes, `${entry.fileName} unpacks`)));
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new SluiceError('SLUICE_E_SOURCE', `${name}: no_space: the disk of ${limits.dir} filled up while unpacking`, { cause: err, because: 'no_space' });
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
