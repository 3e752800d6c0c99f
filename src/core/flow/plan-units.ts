import { identityString, readFileIdentity, sameFile } from '../../sources/file-identity.js';
import type { FileUnitRef } from '../../sources/file-source.js';
import type { Sink } from '../../sinks/sink.js';
import type { UnitPlan } from '../parse/parse-messages.js';

/** A unit with what the writer needs to move its cursor. */
export interface PlannedUnit {
  plan: UnitPlan;
  /** Cursor key; null for stdin, which has no identity and no cursor. */
  cursorKey: string | null;
  identity: string;
  /** Raw size when planned. */
  size: number;
}

/** The units to read now, the ones whose cursor says they are done, and the bytes ahead. */
export interface UnitPlanning {
  units: PlannedUnit[];
  alreadyDone: FileUnitRef[];
  bytesTotal: number;
}

/**
 * Decides where each unit is read from. A cursor counts only for the same file (device, inode and
 * head hash) in the same scope (profile and filters: a `--session` run must not mark the file done
 * for a run without it). A file that changed identity or shrank is read from the start; the unique
 * key keeps that safe.
 */
export function planUnits(refs: readonly FileUnitRef[], sink: Sink, scope: string): UnitPlanning {
  const units: PlannedUnit[] = [];
  const alreadyDone: FileUnitRef[] = [];
  let bytesTotal = 0;
  for (const ref of refs) {
    const index = units.length;
    if (ref.path === null) {
      units.push({ plan: planAt(index, ref, 0, 0), cursorKey: null, identity: 'stdin', size: 0 });
      continue;
    }
    const id = readFileIdentity(ref.path);
    const cursorKey = `${scope}|${id.dev}:${id.ino}`;
    const stored = sink.readCursor(cursorKey);
    const valid = stored !== undefined && sameFile(ref.path, stored.identity) && (ref.gzip || stored.offset <= id.size);
    const resumable = valid && stored !== undefined;
    if (resumable && stored.done && (ref.gzip ? stored.size === id.size : stored.offset === id.size)) {
      alreadyDone.push(ref);
      continue;
    }
    const start = resumable ? stored.offset : 0;
    const line = resumable ? stored.line : 0;
    units.push({ plan: planAt(index, ref, start, line), cursorKey, identity: identityString(id), size: id.size });
    bytesTotal += ref.gzip ? id.size : id.size - start;
  }
  return { units, alreadyDone, bytesTotal };
}

function planAt(index: number, ref: FileUnitRef, startOffset: number, startLine: number): UnitPlan {
  return { index, display: ref.display, path: ref.path, gzip: ref.gzip, startOffset, startLine };
}
