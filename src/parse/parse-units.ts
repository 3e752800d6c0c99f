import type { Readable } from 'node:stream';
import type { Profile } from '../profiles/profile.js';
import { profileByName } from '../profiles/registry.js';
import { firstRecordOfUnit } from './first-record.js';
import { ChunkAssembler } from './chunk-assembler.js';
import { decodeUnit } from './decode-unit.js';
import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';
import { readSqliteUnit } from './read-sqlite-unit.js';
import { openUnitBytes } from './unit-reader.js';

/**
 * The parse stage: reads each planned unit from its cursor, decodes NDJSON, maps records through
 * the profile and yields one chunk of rows per read. The consumer's pace is the pace: nothing is read
 * ahead of what the writer asks for (back-pressure, flat memory).
 */
export async function* parseUnits(
  plans: readonly UnitPlan[],
  options: ParseOptions,
  stdin?: Readable,
): AsyncGenerator<ParseMessage> {
  const profile = profileByName(options.profile);
  const assembler = new ChunkAssembler(profile, options.profileOptions);
  for (const plan of plans) {
    yield { kind: 'unit-start', unit: plan.index, plan };
    if (plan.sqlite && plan.path !== null) {
      assembler.startUnit(plan.display);
      yield* readSqliteUnit(plan.index, plan.path, plan.display, plan.sqlite, assembler, plan.size);
      continue;
    }
    const read = readFrom(plan, await replaysUnit(profile, plan, options.maxLineBytes));
    assembler.startUnit(plan.display, plan.startOffset - read.startOffset);
    yield* decodeUnit(
      plan.index,
      plan.display,
      read,
      options.maxLineBytes,
      () => openUnitBytes(read, options.readBytes, stdin),
      assembler,
    );
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
