import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { SLUICE_BIN, tempDir } from '../helpers/cli.js';
import { loadPostsChunksGenerator } from '../helpers/posts-chunks.js';

describe('sluice spool --profile posts when the sink fails mid-run', () => {
  let chunks: string;

  beforeAll(async () => {
    chunks = tempDir();
    // Chunks big enough (> 4 MB) to be parsed in threads, the next one already started.
    await (await loadPostsChunksGenerator()).generatePostsChunks({ dir: chunks, seed: 5, posts: 4500, chunks: 3, deleteRate: 0.1, mpnet: false, expectVectors: false });
  });

  it('exits at once with SLUICE_E_SINK, leaving no parser thread behind and the units to their leases', () => {
    const dir = tempDir();
    const db = join(dir, 'posts.db');
    const args = ['spool', '--profile', 'posts', '--from', chunks, '--into', `sqlite:${db}`, '--no-progress'];
    // Make the schema, then break it: deletes now hit FTS rows that were never indexed.
    spawnSync(process.execPath, [SLUICE_BIN, ...args, '--since', '2099-01-01T00:00:00Z']);
    const conn = new Database(db);
    conn.exec('DROP TRIGGER posts_fts_insert');
    conn.close();
    const started = Date.now();
    const r = spawnSync(process.execPath, [SLUICE_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, 'the process had to be killed: something kept it alive').toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SLUICE_E_SINK');
    expect(Date.now() - started).toBeLessThan(30_000);
    const ledger = new Database(db, { readonly: true });
    const statuses = ledger.prepare('SELECT status FROM sluice_ledger').all() as Array<{ status: string }>;
    ledger.close();
    expect(statuses.map((s) => s.status).every((s) => s === 'PROCESSING' || s === 'PENDING')).toBe(true);
  });
});
