import type { BindValue, ProfileReports, ReportDefinition } from '../../reports/report.js';
import { bytewise, descending, limitArg, textOrder } from '../../reports/report-sql.js';
import { authorCondition } from './report-filters.js';
import { postsSearchReport } from './search.js';
import { postsSimilarReport } from './similar.js';

/** Per author: live posts, their first and last created_at, and tombstones. */
export const postsAuthorsReport: ReportDefinition = {
  name: 'authors',
  summary: 'per author: posts, first/last created_at, deleted posts (tombstones); most posts first',
  example: 'sluice report authors --profile posts --db posts.db --limit 20',
  options: { limit: 50 },
  chart: { kind: 'bars', values: ['posts', 'tombstones'], label: ['author_did'] },
  columns: () => [
    { name: 'author_did', kind: 'text', whole: true },
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
  chart: { kind: 'timeline', lane: 'kind', from: 'deleted_at', to: 'deleted_at' },
  columns: () => [
    { name: 'kind', kind: 'text' },
    { name: 'deleted_at', kind: 'text' },
    { name: 'did', kind: 'text', whole: true },
    { name: 'at_uri', kind: 'text', whole: true },
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
 * The reports of the posts profile. `--session DID` narrows each to one author. `similar` runs in code (an
 * exact cosine scan of the stored vectors); the others are one SQL statement each.
 */
export const POSTS_REPORTS: ProfileReports = {
  table: 'posts',
  sessionColumn: 'author_did',
  indexes: ['posts_author', 'post_tombstones_author'],
  reports: [postsSearchReport, postsSimilarReport, postsAuthorsReport, postsTombstonesReport],
};
