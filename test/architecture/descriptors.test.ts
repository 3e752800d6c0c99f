import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DECODERS } from '../../src/decoders/registry.js';
import { SINKS } from '../../src/sinks/registry.js';
import { SOURCES } from '../../src/sources/registry.js';

/** Every plugin of the three registries, with its kind for messages. */
const PLUGINS = [
  ...SOURCES.map((d) => ({ kind: 'source', d })),
  ...DECODERS.map((d) => ({ kind: 'decoder', d })),
  ...SINKS.map((d) => ({ kind: 'sink', d })),
];

/**
 * The config is the documentation (Vector's habit): every setting of every source, decoder and sink
 * has a description and an example, and each plugin a summary and an example input.
 */
describe('plugin descriptors (sources, decoders, sinks)', () => {
  it('every setting has .describe() text and an example; every plugin a summary and an example', () => {
    expect(SOURCES.length).toBeGreaterThanOrEqual(5);
    expect(DECODERS.length).toBeGreaterThanOrEqual(5);
    for (const { kind, d } of PLUGINS) {
      const at = `${kind} ${d.name}`;
      expect(d.summary.length, at).toBeGreaterThan(10);
      expect(d.example.length, at).toBeGreaterThan(0);
      const shape = (d.settings as unknown as z.ZodObject).shape as Record<string, z.ZodType> | undefined;
      expect(shape, `${at}: settings are a zod object`).toBeDefined();
      for (const [key, field] of Object.entries(shape ?? {})) {
        expect(field.description, `${at}.${key} description`).toBeTruthy();
        expect(z.globalRegistry.get(field)?.example ?? field.meta()?.example, `${at}.${key} example`).not.toBeUndefined();
      }
    }
  });

  it('names are unique within each registry', () => {
    for (const list of [SOURCES, DECODERS, SINKS]) {
      const names = list.map((d) => d.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('sources with the same capabilities never claim the same input (scheme, or local paths)', () => {
    for (const a of SOURCES)
      for (const b of SOURCES) {
        if (a === b || JSON.stringify(a.capabilities) !== JSON.stringify(b.capabilities)) continue;
        const overlap = a.schemes.length === 0 && b.schemes.length === 0 ? ['(path)'] : a.schemes.filter((s) => b.schemes.includes(s));
        expect(overlap, `${a.name} / ${b.name}`).toEqual([]);
      }
  });

  it('ARCHITECTURE.md names every registered source, decoder and sink in its registry table', () => {
    const doc = readFileSync(new URL('../../ARCHITECTURE.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    for (const [file, list] of [
      ['sources/registry.ts', SOURCES],
      ['decoders/registry.ts', DECODERS],
      ['sinks/registry.ts', SINKS],
    ] as const) {
      const row = rows.find((l) => l.includes(file)) ?? '';
      for (const d of list) expect(row, `${file} lists ${d.name}`).toMatch(new RegExp(`[(, ]${d.name}[,)]`));
    }
  });
});
