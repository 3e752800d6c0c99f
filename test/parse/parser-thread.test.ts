import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import type { ParseMessage, UnitPlan } from '../../src/core/parse-message.js';
import type { ParseOptions } from '../../src/parse/parse-options.js';
import { ParserPool } from '../../src/parse/parser-pool.js';
import { ParserThread } from '../../src/parse/parser-thread.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-parser-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS: ParseOptions = { profile: 'bridge', profileOptions: {}, maxLineBytes: 1 << 20, readBytes: 4096 };

function bridgeFile(name: string, n: number): UnitPlan {
  const path = join(dir, name);
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ ts: 1_700_000_000 + i, session_id: name, seq: i, type: 'event', payload: { i } }));
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { index: 0, display: path, path, gzip: false, startOffset: 0, startLine: 0, cursorKey: path, identity: path, size: 0 };
}

/** Iterates a job to its end; returns the error it ended with, if any. */
async function endOf(job: AsyncIterable<ParseMessage>): Promise<{ messages: number; error?: unknown }> {
  let messages = 0;
  try {
    for await (const m of job) if (m) messages += 1;
    return { messages };
  } catch (error) {
    return { messages, error };
  }
}

describe('a parser thread that fails (SLUICE_E_WORKER)', () => {
  it('an error thrown inside the thread ends the job with SLUICE_E_WORKER and the thread’s message', async () => {
    const thread = new ParserThread();
    try {
      const { error } = await endOf(thread.run([bridgeFile('a.ndjson', 10)], { ...OPTIONS, profile: 'no-such-profile' }, 2));
      expect(error).toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe('SLUICE_E_WORKER');
      expect((error as SluiceError).message).toMatch(/parser thread failed: .*no-such-profile/s);
      expect((error as SluiceError).exitCode).toBe(1);
    } finally {
      await thread.terminate();
    }
  });

  it('a thread that dies mid-job ends the job with SLUICE_E_WORKER (never a silent, short end), and the pool starts a new one', async () => {
    const pool = new ParserPool();
    try {
      const job = pool.run([bridgeFile('big.ndjson', 50_000)], OPTIONS, 1);
      const it = job[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      // The thread dies as after a crash: its worker exits without saying done.
      const threads = (pool as unknown as { threads: Array<{ worker: Worker }> }).threads;
      await threads[0]?.worker.terminate();
      let error: unknown;
      try {
        while (!(await it.next()).done);
      } catch (e) {
        error = e;
      }
      expect(error, 'the job ended as if the unit were complete').toBeInstanceOf(SluiceError);
      expect((error as SluiceError).code).toBe('SLUICE_E_WORKER');
      expect(pool.size).toBe(0);
      const next = await endOf(pool.run([bridgeFile('after.ndjson', 10)], OPTIONS, 2));
      expect(next.error).toBeUndefined();
      expect(pool.size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('a pool closed on purpose ends a running job as cancelled, not failed', async () => {
    const pool = new ParserPool();
    const job = pool.run([bridgeFile('closing.ndjson', 50_000)], OPTIONS, 1);
    const it = job[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    await pool.close();
    let error: unknown;
    try {
      while (!(await it.next()).done);
    } catch (e) {
      error = e;
    }
    expect(error).toBeUndefined();
  });
});
