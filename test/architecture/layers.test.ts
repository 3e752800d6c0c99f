import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of ARCHITECTURE.md, lowest first. A file may import from its own folder and from folders
 * of a lower layer only, so no two folders import each other and `core/` imports no plugin.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['telemetry', 'db', 's3', 'service'],
  ['decoders'],
  ['reports'],
  ['profiles'],
  ['parse', 'ledger'],
  ['sinks'],
  ['sources'],
  ['server', 'enrich'],
  ['archive'],
  ['jobs'],
  ['dashboard'],
  ['cli'],
];

const SRC = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(SRC, dir))) {
    const rel = dir === '' ? entry : `${dir}/${entry}`;
    if (statSync(join(SRC, rel)).isDirectory()) sourceFiles(rel, out);
    else if (rel.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Folder → folders it imports from (static and dynamic imports with a literal path). */
function folderImports(): { from: string; to: string; file: string; spec: string }[] {
  const edges: { from: string; to: string; file: string; spec: string }[] = [];
  for (const file of sourceFiles('')) {
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const spec = m[1] ?? '';
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      const from = file.split('/')[0] ?? '';
      const to = target.split('/')[0] ?? '';
      if (!file.includes('/') || !target.includes('/')) continue; // top-level files (index.ts)
      if (from !== to) edges.push({ from, to, file, spec });
    }
  }
  return edges;
}

const rankOf = (folder: string): number => LAYERS.findIndex((layer) => layer.includes(folder));

describe('layers (ARCHITECTURE.md)', () => {
  it('every folder of src/ has a layer', () => {
    const folders = readdirSync(SRC).filter((e) => statSync(join(SRC, e)).isDirectory());
    expect(folders.filter((f) => rankOf(f) < 0)).toEqual([]);
  });

  it('imports point down only: core imports no plugin, no two folders import each other', () => {
    const upward = folderImports()
      .filter((e) => rankOf(e.to) >= rankOf(e.from))
      .map((e) => `${e.file} imports ${e.spec} (${e.from} may not import ${e.to})`);
    expect(upward).toEqual([]);
  });

  it('finds an upward import when there is one (the check can fail)', () => {
    expect(rankOf('core')).toBeLessThan(rankOf('sinks'));
    expect(rankOf('sinks')).toBeGreaterThan(rankOf('profiles'));
  });
});
