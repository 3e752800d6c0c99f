import { SluiceError } from '../../core/errors.js';
import type { BindValue, ProfileReports, ReportDefinition, ReportParams } from '../../reports/report.js';
import type { ReportReader } from '../../reports/report-reader.js';
import { bytewise, descending, limitArg, textOrder } from '../../reports/report-sql.js';
import { postsSimilarReport } from './similar.js';

/** `--session` is an author DID in this profile (`sessionColumn` is `author_did`). */
function authorCondition(column: string, params: ReportParams): { sql: string; args: BindValue[] } {
  return params.session !== undefined ? { sql: `AND ${column} = ?`, args: [params.session] } : { sql: '', args: [] };
}

/** FTS5 syntax: operators, phrases, grouping, prefix and initial-token marks. */
const FTS5_SYNTAX = /["()*^]|\b(?:AND|OR|NOT|NEAR)\b/;

/**
 * The MATCH expression for `--q`. Plain words are each quoted as an FTS5 string, so that `don't`,
 * `e-mail` or `https://x` find what they say instead of being syntax errors; every word must occur
 * (FTS5's implicit AND). Text that uses FTS5 syntax (`AND`, `OR`, `NOT`, `NEAR`, quotes, parentheses,
 * `*`, `^`) is passed as it is, for users who write FTS5 queries.
 */
export function matchExpression(q: string): string {
  if (FTS5_SYNTAX.test(q)) return q;
  return q
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => `"${w}"`)
    .join(' ');
}

/** A usage error for an FTS5 query SQLite refuses, checked before the rows stream out. */
async function checkMatch(reader: ReportReader, q: string, expression: string): Promise<void> {
  try {
    await reader.one('SELECT count(*) FROM (SELECT 1 FROM posts_fts WHERE posts_fts MATCH ? LIMIT 1)', [expression]);
  } catch (err) {
    throw new SluiceError(
      'SLUICE_E_USAGE',
      `--q: "${q}" is not a valid full-text query (${(err as Error).message}); ` +
        'put words with punctuation in double quotes, or leave out AND, OR, NOT, NEAR, ( ), * and ^ to search for plain words',
      { cause: err },
    );
  }
}

/** Full-text search over post content (FTS5), best match first. */
export const postsSearchReport: ReportDefinition = {
  name: 'search',
  summary: 'posts whose content matches words (every word; or an FTS5 query), best match (bm25) first',
  example: 'sluice report search --profile posts --db posts.db --q "solar eclipse" --limit 20',
  options: { limit: 20, q: true },
  columns: () => [
    { name: 'at_uri', kind: 'text' },
    { name: 'author_did', kind: 'text' },
    { name: 'created_at', kind: 'text' },
    { name: 'rank', kind: 'number', decimals: 4 },
    { name: 'snippet', kind: 'text' },
  ],
  async query(reader, params) {
    const q = params.q ?? '';
    const expression = matchExpression(q);
    await checkMatch(reader, q, expression);
    const author = authorCondition('p.author_did', params);
    return {
      // rank is FTS5's bm25: lower (more negative) is a better match.
      sql: `SELECT p.at_uri, p.author_did, p.created_at, round(posts_fts.rank, 6) AS rank,
          snippet(posts_fts, 0, '[', ']', '…', 16) AS snippet
        FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid
        WHERE posts_fts MATCH ? ${author.sql}
        ORDER BY posts_fts.rank, p.id
        LIMIT ?`,
      args: [expression, ...author.args, limitArg(reader.dialect, params)],
      caption: `posts matching ${expression} (rank: bm25, lower is better)`,
    };
  },
};

/** Per author: live posts, their first and last created_at, and tombstones. */
export const postsAuthorsReport: ReportDefinition = {
  name: 'authors',
  summary: 'per author: posts, first/last created_at, deleted posts (tombstones); most posts first',
  example: 'sluice report authors --profile posts --db posts.db --limit 20',
  options: { limit: 50 },
  columns: () => [
    { name: 'author_did', kind: 'text' },
    { name: 'posts', kind: 'integer' },
    { name: 'first_created_at', kind: 'text' },
    { name: 'last_created_at', kind: 'text' },
    { name: 'tombstones', kind: 'integer' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    const p = authorCondition('author_did', params);
    const t = authorCondition('author_did', params);
    return {
      sql: `WITH p AS (
          SELECT author_did, count(*) AS n, min(${bytewise(d, 'created_at')}) AS first, max(${bytewise(d, 'created_at')}) AS last
          FROM posts WHERE true ${p.sql} GROUP BY author_did
        ), t AS (
          SELECT author_did, count(*) AS n
          FROM post_tombstones WHERE author_did IS NOT NULL ${t.sql} GROUP BY author_did
        )
        SELECT a.author_did, coalesce(p.n, 0) AS posts, p.first AS first_created_at, p.last AS last_created_at,
          coalesce(t.n, 0) AS tombstones
        FROM (SELECT author_did FROM p UNION SELECT author_did FROM t) a
          LEFT JOIN p ON p.author_did = a.author_did
          LEFT JOIN t ON t.author_did = a.author_did
        ORDER BY posts DESC, tombstones DESC, ${textOrder(d, 'a.author_did')}
        LIMIT ?`,
      args: [...p.args, ...t.args, limitArg(d, params)],
    };
  },
};

/** Microseconds since the epoch of a normalized `--since`/`--until` time. */
function timeUs(iso: string): number {
  return Date.parse(iso) * 1000;
}

/** Deleted posts and deleted accounts, newest deletion first. */
export const postsTombstonesReport: ReportDefinition = {
  name: 'tombstones',
  summary: 'deleted posts (reason delete or account_deleted) and deleted accounts; newest deletion first',
  example: 'sluice report tombstones --profile posts --db posts.db --by post --since 2025-01-01 --limit 50',
  options: { limit: 50, timeRange: true, by: { choices: ['all', 'post', 'account'], default: 'all' } },
  columns: () => [
    { name: 'kind', kind: 'text' },
    { name: 'deleted_at', kind: 'text' },
    { name: 'did', kind: 'text' },
    { name: 'at_uri', kind: 'text' },
    { name: 'reason', kind: 'text' },
  ],
  async query(reader, params) {
    const d = reader.dialect;
    // Compared on deleted_time_us (an integer), whatever the digits of the stored deleted_at text.
    const range: string[] = [];
    const rangeArgs: BindValue[] = [];
    if (params.since !== undefined) {
      range.push('deleted_time_us >= ?');
      rangeArgs.push(timeUs(params.since));
    }
    if (params.until !== undefined) {
      range.push('deleted_time_us < ?');
      rangeArgs.push(timeUs(params.until));
    }
    const parts: string[] = [];
    const args: BindValue[] = [];
    const by = params.by ?? 'all';
    if (by !== 'account') {
      const a = authorCondition('author_did', params);
      parts.push(`SELECT 'post' AS kind, deleted_at, author_did AS did, at_uri, reason, deleted_time_us
        FROM post_tombstones WHERE true ${range.map((r) => `AND ${r}`).join(' ')} ${a.sql}`);
      args.push(...rangeArgs, ...a.args);
    }
    if (by !== 'post') {
      const a = authorCondition('did', params);
      parts.push(`SELECT 'account' AS kind, deleted_at, did, NULL AS at_uri, 'account_deleted' AS reason, deleted_time_us
        FROM account_tombstones WHERE true ${range.map((r) => `AND ${r}`).join(' ')} ${a.sql}`);
      args.push(...rangeArgs, ...a.args);
    }
    return {
      sql: `SELECT kind, deleted_at, did, at_uri, reason FROM (${parts.join(' UNION ALL ')}) AS deletions
        ORDER BY ${descending(d, 'deleted_time_us')}, ${textOrder(d, 'kind')}, ${textOrder(d, 'did')}, ${textOrder(d, 'at_uri')}
        LIMIT ?`,
      args: [...args, limitArg(d, params)],
    };
  },
};

/**
 * The reports of seed 001. `--session DID` narrows each to one author. `similar` runs in code (an
 * exact cosine scan of the stored vectors); the others are one SQL statement each.
 */
export const POSTS_REPORTS: ProfileReports = {
  table: 'posts',
  sessionColumn: 'author_did',
  indexes: ['posts_author', 'post_tombstones_author'],
  reports: [postsSearchReport, postsSimilarReport, postsAuthorsReport, postsTombstonesReport],
};
