import type { Readable } from 'node:stream';
import { profileByName } from '../profiles/registry.js';
import { ChunkAssembler } from './chunk-assembler.js';
import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';
import { readUnit } from './read-unit.js';

/**
 * The parse stage: reads each planned unit from its cursor (`readUnit`: the content decides how),
 * maps records through the profile and yields one chunk of rows per read. The consumer's pace is the
 * pace: nothing is read ahead of what the writer asks for (back-pressure, flat memory).
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
    yield* readUnit(plan, profile, options, assembler, stdin);
  }
}
