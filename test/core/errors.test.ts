import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';

describe('error catalogue', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('lists every error code in the README troubleshooting table with its exit code', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(readme, `${code} missing from the README`).toMatch(new RegExp(`\\| \`${code}\` \\| ${entry.exit} \\|`));
    }
  });

  it('names no code in the README that the catalogue does not have', () => {
    const named = [...readme.matchAll(/`(SLUICE_E_[A-Z_]+)`/g)].map((m) => m[1]);
    for (const code of named) expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
  });
});
