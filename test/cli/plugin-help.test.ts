import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildProgram } from '../../src/cli/main.js';
import { settingsOf } from '../../src/cli/plugin-help.js';
import type { RecordDecoderDescriptor } from '../../src/decoders/decoder-descriptor.js';
import { DECODERS } from '../../src/decoders/registry.js';
import { SINKS } from '../../src/sinks/registry.js';
import type { SinkDescriptor } from '../../src/sinks/sink-descriptor.js';
import { SOURCES } from '../../src/sources/registry.js';
import { runSluice } from '../helpers/cli.js';

/** A sink defined here only: nothing of the CLI names it. */
const QueueSettings = z
  .object({
    depth: z.number().int().min(1).default(64).describe('messages held before the writer waits').meta({ example: 128 }),
    topic: z.string().optional().describe('where the rows are put').meta({ example: 'rows.bridge' }),
  })
  .strict();

const queueSink: SinkDescriptor<typeof QueueSettings> = {
  name: 'queue',
  schemes: ['queue:'],
  summary: 'an in-memory queue, defined by this test only',
  example: 'queue:edge-7',
  settings: QueueSettings,
  capabilities: { transactionalCursor: false, acknowledgedCursor: true, ledgerInDatabase: false, documents: false },
  supports: (profile) => profile.name === 'bridge',
  create: () => Promise.reject(new Error('never built by a help test')),
};

/** A decoder defined here only. */
const csvDecoder: RecordDecoderDescriptor<typeof QueueSettings> = {
  kind: 'records',
  name: 'csv-test',
  summary: 'comma-separated rows, defined by this test only',
  example: 'rows.csv',
  settings: QueueSettings,
  capabilities: { container: false, resumable: true, needsFile: false },
  sniff: () => false,
  create: () => {
    throw new Error('never built by a help test');
  },
};

/** The help of `path` (e.g. ['ingest']) in `program`. */
function helpOf(program: Command, path: string[]): string {
  let c = program;
  for (const name of path) c = c.commands.find((s) => s.name() === name) ?? c;
  let text = '';
  c.configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
  c.outputHelp();
  return text;
}

/** What `sluice plugins ARGS` prints in `program`. */
async function pluginsOutput(program: Command, args: string[]): Promise<string> {
  let text = '';
  const plugins = program.commands.find((c) => c.name() === 'plugins');
  plugins?.configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
  await program.parseAsync(['plugins', ...args], { from: 'user' });
  return text;
}

describe('help written from the registries', () => {
  it('a sink and a decoder added beside the shipped ones appear in --help and in sluice plugins, with their settings', async () => {
    const program = await buildProgram({ sinks: [...SINKS, queueSink], decoders: [...DECODERS, csvDecoder] });
    for (const command of [[], ['ingest'], ['follow'], ['spool'], ['consume']]) {
      expect(helpOf(program, command), `sluice ${command.join(' ')} --help`).toContain('queue:edge-7');
    }
    expect(helpOf(program, ['ingest'])).toContain('csv-test');
    const sinks = await pluginsOutput(program, ['sinks']);
    expect(sinks).toContain('queue: an in-memory queue, defined by this test only');
    expect(sinks).toContain('capabilities: acknowledgedCursor');
    expect(sinks).toMatch(/queue:[\s\S]*profiles: bridge\n/);
    expect(sinks).toContain('depth (number, default 64, e.g. 128): messages held before the writer waits');
    expect(sinks).toContain('topic (string, optional, e.g. "rows.bridge"): where the rows are put');
    const decoders = await pluginsOutput(await buildProgram({ decoders: [...DECODERS, csvDecoder] }), ['decoders']);
    expect(decoders).toContain('csv-test: comma-separated rows');
    // Without the added plugins, they are nowhere.
    expect(helpOf(await buildProgram(), ['ingest'])).not.toContain('queue:');
  });

  it('sluice plugins (the built CLI) lists every shipped source, decoder and sink and every setting of each', () => {
    const r = runSluice(['plugins']);
    expect(r.code, r.stderr).toBe(0);
    for (const d of [...SOURCES, ...DECODERS, ...SINKS]) {
      expect(r.stdout, d.name).toContain(`  ${d.name}: ${d.summary}`);
      for (const s of settingsOf(d.settings)) expect(r.stdout, `${d.name}.${s.name}`).toContain(`${s.name} (${s.type}`);
    }
    const unknown = runSluice(['plugins', 'widgets']);
    expect(unknown.code).toBe(2);
  });
});
