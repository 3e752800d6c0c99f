import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgeFile } from '../helpers/bridge-lines.js';
import { runSluice, tempDir } from '../helpers/cli.js';

describe('error hints fit the cause', () => {
  it('a .gz name on plain text: the hint says what the file is, not "check that it exists"', () => {
    const dir = tempDir();
    const file = join(dir, 'plain.ndjson.gz');
    writeFileSync(file, bridgeFile(3));
    const r = runSluice(['ingest', file, '--db', join(dir, 'b.db'), '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/named \.gz but is not gzip data/);
    expect(r.stderr).toMatch(/compress it, or rename it without \.gz\. \[SLUICE_E_SOURCE\]/);
    expect(r.stderr).not.toMatch(/exists and is readable/);
  });
});
