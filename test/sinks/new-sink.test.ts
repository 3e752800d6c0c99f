import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Batcher } from '../../src/core/batcher.js';
import type { EncodedRows } from '../../src/core/rows/row-chunk.js';
import type { CommitResult, Sink, UnitCursor } from '../../src/core/sink.js';
import { runJob } from '../../src/jobs/run-job.js';
import { profileByName } from '../../src/profiles/registry.js';
import { SINKS, sinkFromUrl } from '../../src/sinks/registry.js';
import type { SinkDescriptor } from '../../src/sinks/sink-descriptor.js';
import { streamSourceFor } from '../../src/sources/registry.js';
import { bridgeFile } from '../helpers/bridge-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-new-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * What a new sink needs: this one file (its folder) and one line in a registry list. It is a
 * transactional sink kept in memory: rows and cursors land together at commit.
 */
const MemorySettings = z
  .object({ label: z.string().default('memory').describe('a name for logs').meta({ example: 'test' }) })
  .strict();

const stores = new Map<string, { rows: number; cursors: Map<string, UnitCursor> }>();

class MemorySink implements Sink {
  readonly description: string;
  private pending = 0;
  constructor(private readonly store: { rows: number; cursors: Map<string, UnitCursor> }, label: string) {
    this.description = `memory:${label}`;
  }
  async open(): Promise<void> {}
  async readCursor(key: string): Promise<UnitCursor | undefined> {
    return this.store.cursors.get(key);
  }
  write(rows: EncodedRows): void {
    this.pending += rows.count;
  }
  async commit(cursors: readonly UnitCursor[]): Promise<CommitResult> {
    this.store.rows += this.pending;
    for (const c of cursors) this.store.cursors.set(c.key, c);
    const result = { written: this.pending, duplicates: 0 };
    this.pending = 0;
    return result;
  }
  rollback(): void {
    this.pending = 0;
  }
  async close(): Promise<void> {}
}

const memorySinkDescriptor: SinkDescriptor<typeof MemorySettings> = {
  name: 'memory',
  schemes: ['memory:'],
  summary: 'rows counted in memory (a test-only sink)',
  example: 'memory:test',
  settings: MemorySettings,
  capabilities: { transactionalCursor: true, acknowledgedCursor: false, ledgerInDatabase: false, documents: false },
  supports: (profile) => profile.tables.length > 0,
  create(url, _profile, settings) {
    const name = url.slice('memory:'.length).split('?')[0] ?? '';
    if (!stores.has(name)) stores.set(name, { rows: 0, cursors: new Map() });
    return Promise.resolve(new MemorySink(stores.get(name) ?? { rows: 0, cursors: new Map() }, settings.label));
  },
};

describe('a new sink is its folder plus one registry line', () => {
  it('a sink defined in one file runs a whole ingest job: settings from its URL, cursors honoured on a re-run', async () => {
    const registry = [...SINKS, memorySinkDescriptor];
    const file = join(dir, 'bridge.ndjson');
    writeFileSync(file, bridgeFile(120, 's1'));
    const profile = profileByName('bridge');
    const parse = { profile: profile.name, profileOptions: {}, maxLineBytes: 1 << 20, readBytes: 4096 };
    const run = async (): Promise<{ inserted: number; skipped: number; description: string }> => {
      const sink = await sinkFromUrl('memory:edge?label=edge-1', profile, { dryRun: false }, registry);
      const { source } = await streamSourceFor([file], { needs: { endless: false }, flag: 'FILE' }, { profile, parse });
      const result = await runJob({
        job: 'ingest',
        source,
        sink,
        scope: 'bridge|session=*',
        batcher: new Batcher(50, 60_000),
        deadLetterPath: undefined,
        statusFile: undefined,
        progress: false,
        onSignal: 'interrupt',
      });
      return { inserted: result.summary.inserted, skipped: result.summary.units_skipped, description: sink.description };
    };
    const first = await run();
    expect(first).toEqual({ inserted: 120, skipped: 0, description: 'memory:edge-1' });
    expect(stores.get('edge')?.rows).toBe(120);
    const again = await run();
    expect(again.inserted).toBe(0);
    expect(again.skipped).toBe(1);
    expect(stores.get('edge')?.rows).toBe(120);
  });
});
