import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/sha256-hex.js';

/** The digest coreutils' `sha256sum` prints for `data`. */
function sha256sum(data: string | Buffer): string {
  const r = spawnSync('sha256sum', [], { input: data, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
  return r.stdout.split(' ')[0] ?? '';
}

describe('sha256Hex', () => {
  it('gives the digest sha256sum gives, for ASCII, UTF-8 and binary input', () => {
    const inputs: (string | Buffer)[] = [
      '',
      '{"eventid":"cowrie.command.input","input":"uname -a"}',
      '{"message":"Passwort: äöü ✓ 😀"}',
      Buffer.from([0, 255, 10, 13, 128, 1]),
    ];
    for (const data of inputs) expect(sha256Hex(data)).toBe(sha256sum(data));
  });
});
