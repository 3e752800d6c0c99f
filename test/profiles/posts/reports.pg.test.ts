import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTS_REPORTS } from '../../../src/profiles/posts/reports.js';
import { SHARED_DATA, tempDir } from '../../helpers/cli.js';
import { postgresReachable, testSchema, type TestSchema } from '../../helpers/pg-test-db.js';
import { loadPostsChunksGenerator } from '../../helpers/posts-chunks.js';
import { expectSameReports, reportText, type ReportCase } from '../../helpers/report-compare.js';
import { runSluiceWith } from '../../helpers/spool-cli.js';

const MEGASTREAM = join(SHARED_DATA, 'bluesky', 'ingex-megastream');
const present = existsSync(MEGASTREAM);
const inCi = process.env.CI === 'true';
const ready = await postgresReachable();

/** The at_uri column of a CSV report, sorted: the matched set, whatever the rank. */
function uriSet(csv: string): string[] {
  return csv
    .split('\r\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.slice(0, l.indexOf(',')))
    .sort();
}

describe.skipIf(!ready || (!present && !inCi))(
  `posts reports on PostgreSQL: the same output as on SQLite${present ? '' : ` (skipped: ${MEGASTREAM} is absent)`}`,
  () => {
    let db: string;
    let pg: TestSchema;
    let uris: string[] = [];

    beforeAll(async () => {
      expect(present, `${MEGASTREAM} is missing; CI must have the shared sample data`).toBe(true);
      const dir = tempDir();
      const chunks = join(dir, 'chunks');
      // Generated chunks (repeats, post deletes, account deletions, two vectors a post) and the real ones.
      const generator = await loadPostsChunksGenerator();
      await generator.generatePostsChunks({ dir: chunks, posts: 3_000, chunks: 4, seed: 5, expectVectors: false });
      for (const f of readdirSync(MEGASTREAM).filter((n) => n.endsWith('.db.zip'))) copyFileSync(join(MEGASTREAM, f), join(chunks, f));
      db = join(dir, 'posts.db');
      pg = testSchema('t_reports_posts');
      const runs = await Promise.all([
        runSluiceWith(['spool', '--profile', 'posts', '--from', chunks, '--into', `sqlite:${db}`, '--state', join(dir, 'state.db'), '--mode', 'once', '--no-progress']),
        runSluiceWith(['spool', '--profile', 'posts', '--from', chunks, '--into', pg.url, '--mode', 'once', '--dead-letter', join(dir, 'pg.dead-letter.ndjson'), '--no-progress']),
      ]);
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const conn = new Database(db, { readonly: true });
      // For `similar`: posts of the real chunks (after the generated window) and a few generated ones.
      const generatedUntilUs = Date.parse('2025-09-25T00:20:00Z') * 1000;
      const real = conn.prepare('SELECT at_uri FROM posts WHERE time_us >= ? ORDER BY id LIMIT 5').pluck().all(generatedUntilUs) as string[];
      const generated = conn.prepare('SELECT at_uri FROM posts WHERE time_us < ? AND id % 500 = 7 ORDER BY id LIMIT 3').pluck().all(generatedUntilUs) as string[];
      uris = [...generated, ...real];
      conn.close();
    }, 90_000);
    afterAll(async () => {
      await pg?.drop();
    });

    it('authors, tombstones and similar: every case, in table, CSV and JSON', async () => {
      const author = (await pg.query<{ did: string }>('SELECT author_did AS did FROM posts GROUP BY author_did ORDER BY count(*) DESC, 1 LIMIT 1'))[0]?.did ?? '';
      const cases: ReportCase[] = [
        { name: 'authors' },
        { name: 'authors', flags: { limit: 0 } },
        { name: 'authors', flags: { session: author } },
        { name: 'tombstones' },
        { name: 'tombstones', flags: { limit: 0 } },
        { name: 'tombstones', flags: { by: 'account' } },
        { name: 'tombstones', flags: { by: 'post', since: '2025-09-25T00:05:00Z', until: '2025-09-25T00:15:00Z', limit: 0 } },
        ...uris.map((uri) => ({ name: 'similar', flags: { uri } })),
        ...uris.slice(0, 2).map((uri) => ({ name: 'similar', flags: { uri, model: 'all_MiniLM_L6_v2', limit: 0 } })),
        ...uris.slice(0, 2).map((uri) => ({ name: 'similar', flags: { uri, session: author, limit: 5 } })),
      ];
      const rows = await expectSameReports(db, pg.url, 'posts', cases);
      expect(rows.get('authors --limit 0')).toBeGreaterThan(40);
      expect(rows.get('tombstones --limit 0')).toBeGreaterThan(100);
      expect(rows.get(`similar --uri ${uris[0] ?? ''} --model all_MiniLM_L6_v2 --limit 0`)).toBeGreaterThan(2_500);
      expect(uris.length).toBe(8);
    }, 60_000);

    it('search: the same posts match plain words (rank and snippet differ by design)', async () => {
      const queries = ['striker', 'sourdough bread', 'moon launch rocket', 'the', 'kitten OR senate', 'e-mail', 'zzzunknownword'];
      let matched = 0;
      for (const q of queries) {
        const flags = { q, limit: 0 };
        const [lite, post] = await Promise.all([reportText(db, 'posts', { name: 'search', flags }, 'csv'), reportText(pg.url, 'posts', { name: 'search', flags }, 'csv')]);
        expect(uriSet(post.text), q).toEqual(uriSet(lite.text));
        expect(post.text.split('\r\n')[0]).toBe('at_uri,author_did,created_at,rank,snippet');
        matched += post.rows;
      }
      expect(matched).toBeGreaterThan(300);
      const best = await reportText(pg.url, 'posts', { name: 'search', flags: { q: 'striker', limit: 3 } }, 'table');
      expect(best.text).toMatch(/^posts matching "striker" \(rank: -ts_rank, lower is better/);
      expect(best.text).toContain('[striker]');
      expect(best.rows).toBe(3);
    }, 60_000);

    it('covers every posts report', () => {
      expect(POSTS_REPORTS.reports.map((r) => r.name).sort()).toEqual(['authors', 'search', 'similar', 'tombstones']);
    });
  },
);
