import { closeSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { SluiceError } from '../core/errors.js';
import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import { fileDecoderOf, rowsOpener } from '../decoders/registry.js';
import type { Profile } from '../profiles/profile.js';
import type { ChunkAssembler } from './chunk-assembler.js';
import { decodeUnit } from './decode-unit.js';
import { firstRecordOfUnit } from './first-record.js';
import type { ParseOptions } from './parse-options.js';
import { readSqliteUnit } from './read-sqlite-unit.js';
import { removeStaleUnitFiles, sqliteUnitFile } from './sqlite-unit-file.js';
import { openUnitBytes } from './open-unit-bytes.js';

/** Bytes of a file's head its format is told by (a SQLite header is 16). */
const HEAD_BYTES = 64;

/**
 * The one unit reader of every source (`ingest`, `follow`, `spool`): the content decides, never the
 * name. A unit that needs random access (a zip, a SQLite database: the decoder registry's file
 * decoders) is read as rows from a local file, from the row id of its cursor; any other is read as
 * bytes (gzip unwrapped) from its cursor and decoded as JSON lines or one array. The caller has sent
 * `unit-start`.
 */
export async function* readUnit(
  plan: UnitPlan,
  profile: Profile,
  options: ParseOptions,
  assembler: ChunkAssembler,
  stdin?: Readable,
): AsyncGenerator<ParseMessage> {
  if (plan.path !== null && !plan.gzip && needsFile(plan.path)) {
    yield* readDatabaseUnit(plan, plan.path, profile, assembler);
    return;
  }
  const read = readFrom(plan, await replaysUnit(profile, plan, options.maxLineBytes));
  assembler.startUnit(plan.display, plan.startOffset - read.startOffset);
  yield* decodeUnit(plan.index, plan.display, read, options.maxLineBytes, () => openUnitBytes(read, options.readBytes, stdin), assembler);
}

/** Whether the file's first bytes are a format read from a whole file (zip, SQLite); false when it cannot be read. */
function needsFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(HEAD_BYTES);
    return fileDecoderOf(head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0))) !== undefined;
  } catch {
    return false; // reported when it is read as bytes
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A zip or SQLite unit: unpacked to a temp file where it is a container, then its rows after the cursor. */
async function* readDatabaseUnit(plan: UnitPlan, path: string, profile: Profile, assembler: ChunkAssembler): AsyncGenerator<ParseMessage> {
  assembler.startUnit(plan.display);
  const spec = plan.sqlite ?? profile.sqliteUnits;
  if (!spec) {
    const message = `${plan.display}: holds a database or an archive (read by its content, not its name); profile ${profile.name} reads JSON units only`;
    yield { kind: 'unit-error', unit: plan.index, message, because: 'not_sqlite', permanent: true };
    return;
  }
  let file;
  try {
    // A unit unpacked by a run that was killed mid-unit left its temp file behind: ingest and follow
    // sweep them as spool does (only files of processes that are gone).
    await removeStaleUnitFiles();
    file = await sqliteUnitFile(plan.display, path, () => Promise.reject(new Error('a local unit is read in place')));
  } catch (err) {
    const because = err instanceof SluiceError ? err.because : undefined;
    yield { kind: 'unit-error', unit: plan.index, message: (err as Error).message, because, permanent: because === 'unit_too_large' };
    return;
  }
  try {
    yield* readSqliteUnit(plan.index, file.path, plan.display, spec, assembler, plan.size, await rowsOpener(file.rows), plan.startOffset);
  } finally {
    await file.cleanup();
  }
}

/**
 * Whether a unit resumed mid-way is replayed from its start for `profile` (see `Profile.unitHistory`):
 * always, never, or as its first record says.
 */
export async function replaysUnit(profile: Profile, plan: UnitPlan, maxLineBytes: number): Promise<boolean> {
  const history = profile.unitHistory;
  if (history === undefined || history === false || plan.startOffset === 0) return false;
  if (history === true) return true;
  return history(await firstRecordOfUnit(plan, maxLineBytes));
}

/**
 * Where to start reading a unit: at its cursor, or at its start when the profile maps with the unit's
 * history (`Profile.unitHistory`): the records before the cursor are then replayed, not stored.
 */
export function readFrom(plan: UnitPlan, unitHistory: boolean): UnitPlan {
  return unitHistory && plan.startOffset > 0 && plan.path !== null ? { ...plan, startOffset: 0, startLine: 0 } : plan;
}
