import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParseMessage, UnitPlan } from '../../src/core/parse-message.js';
import type { ParseOptions } from '../../src/parse/parse-options.js';
import { ParserPool } from '../../src/parse/parser-pool.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-parser-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS: ParseOptions = { profile: 'bridge', profileOptions: {}, maxLineBytes: 1 << 20, readBytes: 4096 };

/** A bridge NDJSON file of `n` events (tagged so each file's rows can be told apart). */
function bridgeFile(name: string, n: number): UnitPlan {
  const path = join(dir, name);
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ ts: 1_700_000_000 + i, session_id: name, seq: i, type: 'event', payload: { i } }),
  );
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { index: 0, display: path, path, gzip: false, startOffset: 0, startLine: 0, cursorKey: path, identity: path, size: 0 };
}

async function collect(job: AsyncIterable<ParseMessage>): Promise<{ records: number; end?: number }> {
  let records = 0;
  let end: number | undefined;
  for await (const m of job) {
    if (m.kind === 'chunk') records += m.records;
    if (m.kind === 'unit-end') end = m.endLine;
  }
  return { records, end };
}

describe('ParserPool', () => {
  it('runs jobs one after another on one warm thread, each job getting only its own messages', async () => {
    const pool = new ParserPool();
    try {
      const a = pool.run([bridgeFile('a.ndjson', 3000)], OPTIONS, 2);
      expect(await collect(a)).toEqual({ records: 3000, end: 3000 });
      await a.close();
      const b = pool.run([bridgeFile('b.ndjson', 10)], OPTIONS, 2);
      expect(await collect(b)).toEqual({ records: 10, end: 10 });
      expect(pool.size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('starts a second thread for a job that runs beside another, and reuses a cancelled job’s thread', async () => {
    const pool = new ParserPool();
    try {
      const big = pool.run([bridgeFile('big.ndjson', 50_000)], OPTIONS, 1);
      const beside = pool.run([bridgeFile('beside.ndjson', 5)], OPTIONS, 1);
      expect(pool.size).toBe(2);
      expect(await collect(beside)).toEqual({ records: 5, end: 5 });
      // Take one chunk of the big one, then cancel it: the thread is free again once it let go.
      const it = big[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      await big.close();
      // Two jobs at once fit the two threads: the cancelled job's thread was handed back.
      const after = pool.run([bridgeFile('after.ndjson', 7)], OPTIONS, 1);
      const after2 = pool.run([bridgeFile('after2.ndjson', 9)], OPTIONS, 1);
      expect(pool.size).toBe(2);
      expect(await collect(after)).toEqual({ records: 7, end: 7 });
      expect(await collect(after2)).toEqual({ records: 9, end: 9 });
    } finally {
      await pool.close();
    }
  });
});
