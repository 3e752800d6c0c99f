import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParseMessage, UnitPlan } from '../../../src/core/parse-message.js';
import type { Sink } from '../../../src/core/sink.js';
import { TelemetryBus } from '../../../src/core/telemetry-bus.js';
import { ledgerFromUrl } from '../../../src/ledger/ledger-from-url.js';
import type { ParseOptions } from '../../../src/parse/parse-options.js';
import type { ParseJob } from '../../../src/parse/parser-thread.js';
import { ParserPool } from '../../../src/parse/parser-pool.js';
import { FolderLister } from '../../../src/sources/spool/folder-lister.js';
import { SpoolSource } from '../../../src/sources/spool/spool-source.js';
import { UNIT_NAME } from '../../../src/sources/spool/unit-lister.js';
import { appLogEntries } from '../../helpers/spool-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-spool-parser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A parser pool that notes every job it is given: which units went to a parser thread (read there, or fed by the writer). */
class NotingPool extends ParserPool {
  readonly parsedUnits: string[] = [];
  override run(plans: readonly UnitPlan[], options: ParseOptions, maxInFlight: number, fed = false): ParseJob {
    this.parsedUnits.push(...plans.map((p) => p.display));
    return super.run(plans, options, maxInFlight, fed);
  }
}

/**
 * Spool decodes JSON units in a parser thread, as ingest does: a folder's unit is read there by the
 * one unit reader (an S3 stream is read in the main thread and fed to it), which decodes and maps it. The pool notes the
 * jobs, and the records and unit ends must be what the units hold.
 */
describe('SpoolSource: JSON units are decoded in a parser thread', () => {
  it('an array, gzipped lines and a damaged unit: every record once, in order, errors as before', async () => {
    const at = Date.parse('2025-04-01T00:00:00Z');
    const a = appLogEntries(300, { seed: 1, startMs: at });
    const b = appLogEntries(200, { seed: 2, startMs: at + 3_600_000 });
    writeFileSync(join(dir, '2025-04-01T00:00:00.000Z-a.json'), JSON.stringify(a));
    writeFileSync(join(dir, '2025-04-01T01:00:00.000Z-b.ndjson.gz'), gzipSync(`${b.map((e) => JSON.stringify(e)).join('\n')}\n`));
    writeFileSync(join(dir, '2025-04-01T02:00:00.000Z-c.json.gz'), 'not gzip at all');
    const ledger = await ledgerFromUrl('sqlite::memory:');
    await ledger.open();
    const pool = new NotingPool();
    const source = new SpoolSource({
      lister: new FolderLister(dir, UNIT_NAME),
      ledger,
      parse: { profile: 'applog', profileOptions: {}, maxLineBytes: 1 << 20, readBytes: 64 * 1024 },
      mode: 'once',
      intervalSec: 60,
      leaseSec: 60,
      maxAttempts: 1,
      parsers: pool,
    });
    const stop = new AbortController();
    const messages: ParseMessage[] = [];
    const plans = new Map<number, UnitPlan>();
    const stage = await source.open({ sink: {} as Sink, scope: 'applog', stop: stop.signal, bus: new TelemetryBus('test') });
    for await (const m of stage) {
      messages.push(m);
      if (m.kind === 'unit-start') plans.set(m.unit, m.plan);
      const ledgerUnit = 'unit' in m ? plans.get(m.unit)?.ledger : undefined;
      if (m.kind === 'unit-end' && ledgerUnit) await ledger.complete(ledgerUnit.bucket, ledgerUnit.key);
      if (m.kind === 'unit-error' && ledgerUnit) await ledger.fail(ledgerUnit.bucket, ledgerUnit.key, m.message, 1, 0);
    }
    await source.close();
    await ledger.close();

    expect(pool.parsedUnits).toEqual(['2025-04-01T00:00:00.000Z-a.json', '2025-04-01T01:00:00.000Z-b.ndjson.gz', '2025-04-01T02:00:00.000Z-c.json.gz']);
    const records = (unit: number): number => messages.filter((m) => m.kind === 'chunk' && m.unit === unit).reduce((n, m) => n + (m.kind === 'chunk' ? m.records : 0), 0);
    const kinds = messages.filter((m) => m.kind !== 'chunk' && m.kind !== 'idle').map((m) => `${m.kind}:${'unit' in m ? m.unit : ''}`);
    expect(kinds).toEqual(['unit-start:0', 'unit-end:0', 'unit-start:1', 'unit-end:1', 'unit-start:2', 'unit-error:2']);
    expect(records(0)).toBe(300);
    expect(records(1)).toBe(200);
    const end1 = messages.find((m) => m.kind === 'unit-end' && m.unit === 1);
    expect(end1?.kind === 'unit-end' && end1.endLine).toBe(200);
    const error = messages.find((m) => m.kind === 'unit-error');
    expect(error?.kind === 'unit-error' && error.message).toMatch(/named \.gz but is not gzip data/);
    expect(error?.kind === 'unit-error' && error.because).toBe('not_gzip');
  });
});
