// The TypeScript sources under a folder, for the build scripts (scripts/checks.mjs, scripts/bundle-cli.mjs).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under `dir` (no declarations). */
export function typescriptSources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return typescriptSources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}
