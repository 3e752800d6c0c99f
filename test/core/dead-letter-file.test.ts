import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../../src/core/dead-letter-file.js';
import { tempDir } from '../helpers/cli.js';

const bad = (line: number) => ({ file: 'f.ndjson', line, offset: line * 10, reason: 'invalid_json: x', raw: '{' });

describe('DeadLetterFile', () => {
  it('keeps what a file held before its first mark, and cuts what came after the last committed mark', () => {
    const path = join(tempDir(), 'dead.ndjson');
    writeFileSync(path, 'older content\n');
    const first = new DeadLetterFile(path);
    first.open(undefined);
    const baseline = first.mark();
    expect(baseline.offset).toBe(14);
    first.add([bad(1)]);
    const committed = first.flush();
    first.add([bad(2)]);
    first.flush(); // written, but its batch never commits (the process is killed here)
    first.close();

    const again = new DeadLetterFile(path);
    again.open(committed);
    again.close();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    expect(lines[0]).toBe('older content');
    expect(lines.slice(1).map((l) => JSON.parse(l).line)).toEqual([1]);
  });

  it('cuts a file created after a mark that said it was absent (a crash before the first commit)', () => {
    const path = join(tempDir(), 'dead.ndjson');
    const first = new DeadLetterFile(path);
    first.open(undefined);
    const absent = first.mark();
    expect(existsSync(path)).toBe(false);
    first.add([bad(1), bad(2)]);
    first.flush();
    first.close();
    expect(readFileSync(path, 'utf8')).not.toBe('');

    const again = new DeadLetterFile(path);
    again.open(absent);
    again.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});
