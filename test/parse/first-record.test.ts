import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { UnitPlan } from '../../src/core/parse-message.js';
import { firstRecordOfFile, firstRecordOfUnit } from '../../src/parse/first-record.js';
import { tempDir } from '../helpers/cli.js';

const plan = (path: string, gzip: boolean): UnitPlan => ({
  index: 0, display: path, path, gzip, startOffset: 10, startLine: 1, cursorKey: 'k', identity: 'i', size: 0,
});

describe('the first record of a unit (which tells whether a resumed unit is replayed)', () => {
  const dir = tempDir();
  const text = `\n  \n{"timestamp_iso":"2025-09-10T10:27:08"}\n{"b":2}\n`;

  it('is the first line that is not blank, in a plain file and in a gzip one', async () => {
    writeFileSync(join(dir, 'a.ndjson'), text);
    writeFileSync(join(dir, 'a.ndjson.gz'), gzipSync(`${text}${'{"pad":1}\n'.repeat(20_000)}`));
    expect(firstRecordOfFile(join(dir, 'a.ndjson'), 1 << 20)).toEqual({ timestamp_iso: '2025-09-10T10:27:08' });
    expect(await firstRecordOfUnit(plan(join(dir, 'a.ndjson.gz'), true), 1 << 20)).toEqual({ timestamp_iso: '2025-09-10T10:27:08' });
  });

  it('is undefined when the first line is not JSON or not whole, and for a damaged gzip', async () => {
    writeFileSync(join(dir, 'b.ndjson'), 'not json\n{"a":1}\n');
    writeFileSync(join(dir, 'c.ndjson'), '{"a":1');
    writeFileSync(join(dir, 'd.ndjson.gz'), gzipSync(text).subarray(0, 12));
    expect(firstRecordOfFile(join(dir, 'b.ndjson'), 1 << 20)).toBeUndefined();
    expect(firstRecordOfFile(join(dir, 'c.ndjson'), 1 << 20)).toBeUndefined();
    expect(await firstRecordOfUnit(plan(join(dir, 'd.ndjson.gz'), true), 1 << 20)).toBeUndefined();
  });
});
