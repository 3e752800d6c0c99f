import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runSluiceWith, type JobsList } from '../helpers/spool-cli.js';
import { withDeclaredSize, zipOf } from '../helpers/zip-bytes.js';

const T0 = Date.UTC(2025, 8, 25) * 1000;

/** A Megastream-style chunk (the older `posts` layout) with one created post, as SQLite bytes. */
function chunkBytes(dir: string, n: number, pad = 0): Buffer {
  const path = join(dir, `chunk-${n}.db`);
  const did = `did:plc:unitcapauthor${String(n).padStart(16, '0')}`;
  const db = new Database(path);
  db.exec('CREATE TABLE posts (at_uri TEXT, did TEXT, raw_post TEXT, inferences TEXT)');
  const message = {
    did,
    kind: 'commit',
    time_us: T0 + n * 1_000_000,
    commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: `3lunitcap${n}`, record: { $type: 'app.bsky.feed.post', createdAt: new Date(T0 / 1000).toISOString(), text: `post ${n}` } },
  };
  db.prepare('INSERT INTO posts VALUES (?, ?, ?, NULL)').run(`at://${did}/app.bsky.feed.post/3lunitcap${n}`, did, JSON.stringify({ message }));
  // Padding that deflates to almost nothing: the bomb's bulk.
  if (pad > 0) db.exec(`CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (zeroblob(${pad}));`);
  db.close();
  return readFileSync(path);
}

describe('sluice spool --max-unit-bytes (.db.zip bombs)', () => {
  it('FAILS a unit that unpacks past the cap (even when its zip header lies), at once and with the coded reason; the other units go on', async () => {
    const work = tempDir('sluice-unitcap-cli-');
    const scratch = join(work, 'scratch');
    const spool = join(work, 'spool');
    mkdirSync(scratch);
    mkdirSync(spool);
    writeFileSync(join(spool, 'mega_jetstream_20250925_000000.db.zip'), await zipOf('chunk.db', chunkBytes(scratch, 1)));
    // 24 MiB of database in a zip of a few dozen KiB whose directory says 8 KiB.
    const bomb = await zipOf('chunk.db', chunkBytes(scratch, 2, 24 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(200 * 1024);
    writeFileSync(join(spool, 'mega_jetstream_20250925_000500.db.zip'), withDeclaredSize(bomb, 8192));
    writeFileSync(join(spool, 'mega_jetstream_20250925_001000.db.zip'), await zipOf('chunk.db', chunkBytes(scratch, 3)));
    const db = join(work, 'posts.db');

    const run = await runSluiceWith(['spool', '--profile', 'posts', '--from', spool, '--db', db, '--max-unit-bytes', String(1024 * 1024), '--no-progress', '--json'], { cwd: work });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/mega_jetstream_20250925_000500\.db\.zip: unit_too_large: .*\(FAILED\)/);

    const listed = await runSluiceWith(['jobs', 'list', '--ledger', `sqlite:${db}`, '--json', '--limit', '100'], { cwd: work });
    expect(listed.code, listed.stderr).toBe(0);
    const units = Object.fromEntries((JSON.parse(listed.stdout) as JobsList).units.map((u) => [u.s3Key, u]));
    expect(units['mega_jetstream_20250925_000000.db.zip']?.status).toBe('COMPLETED');
    expect(units['mega_jetstream_20250925_001000.db.zip']?.status).toBe('COMPLETED');
    const failed = units['mega_jetstream_20250925_000500.db.zip'];
    expect(failed?.status).toBe('FAILED');
    expect(failed?.metadata.attempts).toBe(1); // not retried: another attempt would unpack the same bomb
    expect(failed?.metadata.error).toContain('unit_too_large');

    // The sqlite3 shell as the oracle: the two good posts are stored, nothing of the bomb's.
    const posts = execFileSync('sqlite3', [db, 'SELECT at_uri FROM posts ORDER BY at_uri'], { encoding: 'utf8' }).trim().split('\n');
    expect(posts).toHaveLength(2);
    expect(posts.join(' ')).toContain('3lunitcap1');
    expect(posts.join(' ')).toContain('3lunitcap3');
  }, 120_000);
});
