import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SluiceError } from '../../src/core/errors.js';
import { PROFILES, profileByName } from '../../src/profiles/registry.js';
import { SINKS, sinkDescriptorFor, sinkFromUrl, sinksFor } from '../../src/sinks/registry.js';

describe('sink registry', () => {
  it('chooses a sink by URL scheme and refuses an unknown one, naming those there are', () => {
    expect(sinkDescriptorFor('sqlite:logs/x.db').name).toBe('sqlite');
    expect(sinkDescriptorFor('postgres://u@h/db').name).toBe('postgres');
    expect(sinkDescriptorFor('postgresql://u@h/db').name).toBe('postgres');
    expect(sinkDescriptorFor('https://es:9200').name).toBe('elasticsearch');
    const err = catchError(() => sinkDescriptorFor('mysql://h/db'));
    expect(err.code).toBe('SLUICE_E_UNKNOWN_SINK');
    for (const s of SINKS) expect(err.message).toContain(s.example);
  });

  it('refuses a profile the sink has no tables or documents for, naming the sinks that profile supports', async () => {
    const bridge = profileByName('bridge');
    const err = await sinkFromUrl('https://es:9200', bridge, { dryRun: false }).then(
      () => undefined,
      (e: unknown) => e as SluiceError,
    );
    expect(err?.code).toBe('SLUICE_E_UNSUPPORTED_SINK');
    expect(err?.exitCode).toBe(2);
    for (const s of sinksFor(bridge)) expect(err?.message).toContain(s.name);
    expect(err?.message).not.toContain('elasticsearch (');
  });

  it('every profile goes into SQLite; only profiles with documents go into Elasticsearch', () => {
    for (const p of PROFILES) {
      const names = sinksFor(p).map((s) => s.name);
      expect(names).toContain('sqlite');
      expect(names.includes('elasticsearch')).toBe(p.elasticsearch !== undefined);
    }
  });

  it('every setting of every sink is documented: a description and an example (the config is the documentation)', () => {
    for (const s of SINKS) {
      expect(s.summary.length, s.name).toBeGreaterThan(10);
      const shape = (s.settings as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
      for (const [key, field] of Object.entries(shape)) {
        expect(field.description, `${s.name}.${key}`).toBeTruthy();
        expect(z.globalRegistry.get(field)?.example ?? field.meta()?.example, `${s.name}.${key} example`).not.toBeUndefined();
      }
    }
  });

  it('a sink is one folder plus one registry line: transactional and acknowledged cursors exclude each other', () => {
    for (const s of SINKS) expect(s.capabilities.transactionalCursor !== s.capabilities.acknowledgedCursor, s.name).toBe(true);
  });
});

function catchError(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    return err as SluiceError;
  }
  throw new Error('expected an error');
}
