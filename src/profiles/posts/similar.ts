import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import type { ReportDefinition, ReportValue } from '../../reports/report.js';
import { floats, isVector } from './similar-read.js';
import { scanVectors, type ScanPlan } from './similar-scan.js';
import { planSplit, scanSplit, type SplitOptions } from './similar-threads.js';
import type { Hit } from './similar-topk.js';

/** The embedding models whose vectors `posts` keeps, by `--model` name, with their column. */
export const EMBEDDING_COLUMNS: Readonly<Record<string, string>> = {
  all_MiniLM_L12_v2: 'embedding_l12',
  all_MiniLM_L6_v2: 'embedding_l6',
};
const MODELS = Object.keys(EMBEDDING_COLUMNS);
const DEFAULT_MODEL = 'all_MiniLM_L12_v2';

/** Characters of `content` a `similar` row carries (a table cuts it further). */
const CONTENT_CHARS = 160;

/** How `nearestPosts` may split its scan (tests lower the threshold to reach the threaded path). */
export interface NearestOptions extends SplitOptions {
  /** Fewest ids worth a second thread (default THREAD_MIN_ROWS); Infinity never splits. */
  threadMinRows?: number;
}

/**
 * The `k` stored vectors of `column` most similar (cosine) to the vector of post `selfId`, every one
 * compared exactly, best first, ties by lower id; `k` undefined keeps all. A large table is scanned by
 * this thread and a scan thread together (similar-threads.ts), with the same result.
 */
export function nearestPosts(
  db: Database.Database,
  column: string,
  query: Float32Array,
  selfId: number,
  k: number | undefined,
  author: string | undefined,
  options: NearestOptions = {},
): Hit[] {
  const plan: ScanPlan = { column, query, selfId, k, author };
  const split = planSplit(db, plan, options.threadMinRows, options);
  return split === undefined ? scanVectors(db, plan) : scanSplit(db, plan, split, options);
}

/** The post's id and vector of `column`, or a usage error saying what is missing and what to try. */
function queryVector(db: Database.Database, uri: string, model: string, column: string): { id: number; vector: Float32Array } {
  const row = db.prepare('SELECT * FROM posts WHERE at_uri = ?').get(uri) as Record<string, unknown> | undefined;
  if (!row) {
    throw new SluiceError('SLUICE_E_USAGE', `no post ${uri} in this database (sluice report search --q WORDS finds some)`);
  }
  const blob = row[column];
  if (!isVector(blob)) {
    const others = MODELS.filter((m) => m !== model && isVector(row[EMBEDDING_COLUMNS[m] ?? '']));
    const hint = others.length > 0 ? `; it has one of ${others.map((m) => `--model ${m}`).join(', ')}` : '';
    throw new SluiceError('SLUICE_E_USAGE', `post ${uri} has no ${model} vector${hint}`);
  }
  const vector = floats(blob);
  if (vector.every((x) => x === 0)) throw new SluiceError('SLUICE_E_USAGE', `post ${uri} has a zero ${model} vector`);
  return { id: Number(row.id), vector };
}

function shortened(text: unknown): ReportValue {
  if (typeof text !== 'string') return null;
  return text.length > CONTENT_CHARS ? `${text.slice(0, CONTENT_CHARS - 1)}…` : text;
}

/** Posts whose embedding is nearest the given post's: exact cosine similarity over every stored vector. */
export const postsSimilarReport: ReportDefinition = {
  name: 'similar',
  summary: 'posts nearest a post by embedding (exact cosine similarity over every stored vector); best first',
  example: 'sluice report similar --profile posts --db posts.db --uri at://did:plc:abc/app.bsky.feed.post/3k --limit 10',
  options: { limit: 10, uri: true, model: { choices: MODELS, default: DEFAULT_MODEL } },
  columns: () => [
    { name: 'at_uri', kind: 'text' },
    { name: 'author_did', kind: 'text' },
    { name: 'similarity', kind: 'number', decimals: 4 },
    { name: 'content', kind: 'text' },
  ],
  query(db, params) {
    const model = params.model ?? DEFAULT_MODEL;
    const column = EMBEDDING_COLUMNS[model];
    if (column === undefined || params.uri === undefined) {
      throw new SluiceError('SLUICE_E_USAGE', 'report similar needs --uri URI and a known --model');
    }
    const self = queryVector(db, params.uri, model, column);
    const hits = nearestPosts(db, column, self.vector, self.id, params.limit, params.session);
    const post = db.prepare('SELECT at_uri, author_did, content FROM posts WHERE id = ?').raw(true);
    const rows: ReportValue[][] = [];
    for (const h of hits) {
      // A scan thread reads on its own connection, so beside a writer it may see a post this
      // snapshot no longer has; such a hit is left out rather than shown half.
      const found = post.get(h.id) as [string, string, string] | undefined;
      if (found === undefined) continue;
      const [atUri, author, content] = found;
      rows.push([atUri, author, Math.round(h.similarity * 10_000) / 10_000, shortened(content)]);
    }
    return { sql: '', args: [], rows, caption: `nearest ${params.uri} by ${model} (cosine similarity)` };
  },
};
