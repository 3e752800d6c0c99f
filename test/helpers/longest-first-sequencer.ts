import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per test file of a recorded run (test/helpers/record-file-durations.mjs writes it). */
const RECORDED: Record<string, number> = JSON.parse(readFileSync(new URL('./file-durations.json', import.meta.url), 'utf8')) as Record<string, number>;

/**
 * Runs the test files longest first, by a recorded run, so the processes end together: a long file
 * started last would run on alone while the other cores idle. Vitest's own order needs its cache
 * of the last run, which a fresh clone (CI) does not have; there it went by file size. Files the
 * record does not know yet go first, as vitest does with files it has not seen.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (f: TestSpecification): number => RECORDED[relative(root, f.moduleId)] ?? Number.MAX_SAFE_INTEGER;
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}
