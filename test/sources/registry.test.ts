import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SluiceError } from '../../src/core/errors.js';
import type { ParseMessage } from '../../src/core/parse-message.js';
import { profileByName } from '../../src/profiles/registry.js';
import { SOURCES, sourceDescriptorFor, streamSourceFor, unitListerFor } from '../../src/sources/registry.js';
import type { StreamSourceDescriptor } from '../../src/sources/source-descriptor.js';

const parts = () => {
  const profile = profileByName('bridge');
  return { profile, parse: { profile: profile.name, profileOptions: {}, maxLineBytes: 1 << 20, readBytes: 1 << 16 } };
};

describe('source registry', () => {
  it('each job gets its source by the capabilities it needs and the scheme of its input', () => {
    const pick = (input: string, needs: Parameters<typeof sourceDescriptorFor>[0]['needs']): string =>
      sourceDescriptorFor({ input, needs, flag: 'IN' }).name;
    expect(pick('logs/*.ndjson', { endless: false, ledgerUnits: false })).toBe('file');
    expect(pick('-', { endless: false, ledgerUnits: false })).toBe('file');
    expect(pick('logs/bridge_{YYYYMMDD}.ndjson', { endless: true, rows: false })).toBe('follow');
    expect(pick('spool/in', { ledgerUnits: true })).toBe('spool-folder');
    expect(pick('s3://bucket/prefix/', { ledgerUnits: true })).toBe('spool-s3');
    expect(pick('S3://bucket/prefix/', { ledgerUnits: true })).toBe('spool-s3');
    expect(pick('nats://127.0.0.1:4222/STREAM', { rows: true })).toBe('nats');
  });

  it('an input no source with those capabilities reads is a usage error naming the inputs that would do', () => {
    let err: SluiceError | undefined;
    try {
      sourceDescriptorFor({ input: 'ftp://host/dir', needs: { ledgerUnits: true }, flag: '--from' });
    } catch (e) {
      err = e as SluiceError;
    }
    expect(err?.code).toBe('SLUICE_E_CONFIG');
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toMatch(/^--from: expected /);
    for (const s of SOURCES.filter((d) => d.capabilities.ledgerUnits)) expect(err?.message).toContain(s.example);
    expect(err?.message).not.toContain('(file)');
  });

  it('settings are taken from the job by field name and validated, each problem named by its flag', async () => {
    await expect(
      streamSourceFor(['nats://127.0.0.1:4222/S'], { needs: { rows: true }, flag: 'STREAM' }, parts(), { durable: 'a b', fetchMax: 0, unrelated: 1 }),
    ).rejects.toThrow(/--durable: letters, digits[\s\S]*--fetch-max/);
    const dir = mkdtempSync(join(tmpdir(), 'sluice-src-'));
    const { descriptor, lister } = await unitListerFor(dir, { needs: {}, flag: '--from' }, parts(), { endpoint: 'http://ignored', region: 'x' });
    expect(descriptor.name).toBe('spool-folder');
    expect(lister.bucket).toBe(dir);
    await expect(unitListerFor(join(dir, 'missing'), { needs: {}, flag: '--from' }, parts())).rejects.toMatchObject({ code: 'SLUICE_E_NO_INPUT' });
  });

  it('a source added to the list is chosen by its scheme with no change to the jobs', async () => {
    const settings = z.object({ topic: z.string().describe('topic').meta({ example: 't' }) }).strict();
    const made: string[] = [];
    const queue: StreamSourceDescriptor<typeof settings> = {
      name: 'queue',
      schemes: ['queue:'],
      summary: 'a test-only source',
      example: 'queue://host/t',
      settings,
      capabilities: { endless: true, ledgerUnits: false, resumesMidUnit: false, rows: true },
      create: (inputs, s) => {
        made.push(`${inputs[0]} ${s.topic}`);
        const none = (async function* (): AsyncGenerator<ParseMessage> {})();
        return Promise.resolve(() => ({ description: 'q', open: () => Promise.resolve(none), close: () => Promise.resolve() }));
      },
    };
    const { descriptor } = await streamSourceFor(['queue://host/t'], { needs: { rows: true }, flag: 'STREAM' }, parts(), { topic: 'x' }, [...SOURCES, queue]);
    expect(descriptor.name).toBe('queue');
    expect(made).toEqual(['queue://host/t x']);
  });
});

describe('folderOf: where a source says its inputs live (local state of a run sits there)', () => {
  it('file: the first file\'s folder (stdin: the working folder); follow: the pattern\'s folder, before its first date token', () => {
    const file = SOURCES.find((s) => s.name === 'file');
    const follow = SOURCES.find((s) => s.name === 'follow');
    expect(file?.folderOf?.(['logs/edge-1/bridge.ndjson', 'other/x.ndjson'])).toBe('logs/edge-1');
    expect(file?.folderOf?.(['-'])).toBe('.');
    expect(follow?.folderOf?.([join(tmpdir(), 'edge-7', 'bridge_{YYYYMMDD}.ndjson')])).toBe(join(tmpdir(), 'edge-7'));
    expect(follow?.folderOf?.([join(tmpdir(), 'logs-{YYYY}', '{MM}', 'b.ndjson')])).toBe(tmpdir());
  });
});
