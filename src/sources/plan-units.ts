import { identityString, readFileIdentity, sameFile } from './file-identity.js';
import type { FileUnitRef } from './file-unit-ref.js';
import { peekUnit } from '../parse/peek-unit.js';
import type { Sink, UnitCursor } from '../core/sink.js';
import type { UnitPlan } from '../core/parse-message.js';

/** The units to read now, the ones whose cursor says they are done, and the bytes ahead. */
export interface UnitPlanning {
  plans: UnitPlan[];
  alreadyDone: FileUnitRef[];
  bytesTotal: number;
  /** Units read whole, not as text from an offset: gzip, zip and SQLite (their size is compressed or stored bytes). */
  wholeUnits: number;
}

/** The cursor key of a file in a scope (profile and filters). */
export function cursorKeyOf(scope: string, dev: number, ino: number): string {
  return `${scope}|${dev}:${ino}`;
}

/**
 * The committed cursor of `path` if it is still valid: same file (device, inode, head hash) and not
 * shrunk below the offset. A file that changed identity or shrank must be read from the start.
 */
export async function validCursor(sink: Sink, key: string, path: string, size: number, whole: boolean): Promise<UnitCursor | undefined> {
  const stored = await sink.readCursor(key);
  if (stored === undefined || !sameFile(path, stored.identity)) return undefined;
  // `whole`: a unit whose cursor is no raw byte offset (gzip: decompressed bytes; zip, SQLite: a row id).
  if (!whole && stored.offset > size) return undefined;
  return stored;
}

/**
 * Decides where each unit is read from. A cursor counts only for the same file in the same scope
 * (a `--session` run must not mark the file done for a run without it); the unique key keeps a
 * re-read safe.
 */
export async function planUnits(refs: readonly FileUnitRef[], sink: Sink, scope: string): Promise<UnitPlanning> {
  const plans: UnitPlan[] = [];
  const alreadyDone: FileUnitRef[] = [];
  let bytesTotal = 0;
  let wholeUnits = 0;
  for (const ref of refs) {
    const base = { index: plans.length, display: ref.display, path: ref.path, gzip: false };
    if (ref.path === null) {
      plans.push({ ...base, startOffset: 0, startLine: 0, cursorKey: null, identity: 'stdin', size: 0 });
      continue;
    }
    const id = readFileIdentity(ref.path);
    const peek = peekUnit(ref.path, ref.display);
    const gzip = peek.content === 'gzip';
    // Read whole, not as raw bytes from an offset: gzip (decompressed), zip and SQLite (by row id).
    const whole = peek.content !== 'text';
    const cursorKey = cursorKeyOf(scope, id.dev, id.ino);
    const stored = await validCursor(sink, cursorKey, ref.path, id.size, whole);
    if (stored?.done && (whole ? stored.size === id.size : stored.offset === id.size)) {
      alreadyDone.push(ref);
      continue;
    }
    // A JSON array cannot be entered mid-way: it is read again from the start (the key dedupes).
    const resume = stored !== undefined && peek.shape !== 'array';
    const startOffset = resume ? stored.offset : 0;
    const startLine = resume ? stored.line : 0;
    plans.push({ ...base, gzip, startOffset, startLine, cursorKey, identity: identityString(id), size: id.size });
    bytesTotal += whole ? id.size : id.size - startOffset;
    if (whole) wholeUnits += 1;
  }
  return { plans, alreadyDone, bytesTotal, wholeUnits };
}
