import { SluiceError } from '../../core/errors.js';
import type { ReportDefinition, ReportParams, ReportQuery } from '../../reports/report.js';
import type { ReportReader } from '../../reports/report-reader.js';
import { limitArg, roundedAs } from '../../reports/report-sql.js';
import { authorCondition } from './report-filters.js';

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

/**
 * The PostgreSQL search, over the `content_tsv` column (`simple` configuration: lower-cased words, no
 * stemming, as FTS5's unicode61 tokenizer): plain words each become a phrase (`phraseto_tsquery`), all
 * required, as `matchExpression` quotes each for FTS5, so the same posts match; text in FTS5 syntax is
 * read by `websearch_to_tsquery` (quotes, OR, -word), which is not FTS5's grammar. The rank is
 * `-ts_rank` (lower is better, as bm25), the snippet `ts_headline`: both differ from SQLite's.
 */
function pgSearch(q: string, params: ReportParams): ReportQuery {
  const words = q.split(/\s+/).filter((w) => w.length > 0);
  const syntax = FTS5_SYNTAX.test(q);
  const tsquery = syntax ? "websearch_to_tsquery('simple', ?)" : words.map(() => "phraseto_tsquery('simple', ?)").join(' && ');
  const author = authorCondition('p.author_did', params);
  return {
    sql: `SELECT at_uri, author_did, created_at, ${roundedAs('postgres', 'rank', 6, 'rank')},
        ts_headline('simple', content, query, 'StartSel=[, StopSel=], MaxWords=16, MinWords=6, MaxFragments=1, FragmentDelimiter=…') AS snippet
      FROM (
        SELECT p.id, p.at_uri, p.author_did, p.created_at, p.content, query, -ts_rank(p.content_tsv, query) AS rank
        FROM posts p, (SELECT ${tsquery} AS query) AS search
        WHERE p.content_tsv @@ query ${author.sql}
        ORDER BY rank, p.id
        LIMIT ?) AS best
      ORDER BY rank, id`,
    args: [...(syntax ? [q] : words), ...author.args, limitArg('postgres', params)],
    caption: `posts matching ${syntax ? q : words.map((w) => `"${w}"`).join(' ')} (rank: -ts_rank, lower is better; PostgreSQL ranks otherwise than bm25)`,
  };
}

/** Full-text search over post content (FTS5 in SQLite, a tsvector in PostgreSQL), best match first. */
export const postsSearchReport: ReportDefinition = {
  name: 'search',
  summary: 'posts whose content matches words (every word; or an FTS5 query), best match (bm25) first',
  example: 'sluice report search --profile posts --db posts.db --q "solar eclipse" --limit 20',
  options: { limit: 20, q: true },
  chart: { kind: 'bars', values: ['rank'], label: ['snippet'] },
  columns: () => [
    { name: 'at_uri', kind: 'text', whole: true },
    { name: 'author_did', kind: 'text', whole: true },
    { name: 'created_at', kind: 'text' },
    { name: 'rank', kind: 'number', decimals: 4 },
    { name: 'snippet', kind: 'text' },
  ],
  async query(reader, params) {
    const q = params.q ?? '';
    if (reader.dialect === 'postgres') return pgSearch(q, params);
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
      args: [expression, ...author.args, limitArg('sqlite', params)],
      caption: `posts matching ${expression} (rank: bm25, lower is better)`,
    };
  },
};

