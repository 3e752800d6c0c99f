import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import type { ReportDefinition, ReportValue } from '../../reports/report.js';
import type { ReportReader, SqlValue } from '../../reports/report-reader.js';
import { SqliteReportReader } from '../../reports/sqlite-report-reader.js';
import { scanPgVectors } from './similar-pg.js';
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

/** The post's id and vector of `model`, or a usage error saying what is missing and what to try. */
async function queryVector(reader: ReportReader, uri: string, model: string): Promise<{ id: number; vector: Float32Array }> {
  const found = await reader.one(`SELECT id, ${MODELS.map((m) => `"${EMBEDDING_COLUMNS[m] ?? ''}"`).join(', ')} FROM posts WHERE at_uri = ?`, [uri]);
  if (!found) {
    throw new SluiceError('SLUICE_E_USAGE', `no post ${uri} in this database (sluice report search --q WORDS finds some)`);
  }
  const vectorOf = (m: string): unknown => found[1 + MODELS.indexOf(m)];
  const blob = vectorOf(model);
  if (!isVector(blob)) {
    const others = MODELS.filter((m) => m !== model && isVector(vectorOf(m)));
    const hint = others.length > 0 ? `; it has one of ${others.map((m) => `--model ${m}`).join(', ')}` : '';
    throw new SluiceError('SLUICE_E_USAGE', `post ${uri} has no ${model} vector${hint}`);
  }
  const vector = floats(blob);
  if (vector.every((x) => x === 0)) throw new SluiceError('SLUICE_E_USAGE', `post ${uri} has a zero ${model} vector`);
  return { id: Number(found[0]), vector };
}

/** A looked-up value as a cell (a stray BLOB is no text to show). */
function cell(value: SqlValue | undefined): ReportValue {
  return value === undefined || value instanceof Uint8Array ? null : value;
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
  chart: { kind: 'bars', values: ['similarity'], label: ['content'] },
  columns: () => [
    { name: 'at_uri', kind: 'text', whole: true },
    { name: 'author_did', kind: 'text', whole: true },
    { name: 'similarity', kind: 'number', decimals: 4 },
    { name: 'content', kind: 'text' },
  ],
  async query(reader, params) {
    const model = params.model ?? DEFAULT_MODEL;
    const column = EMBEDDING_COLUMNS[model];
    if (column === undefined || params.uri === undefined) {
      throw new SluiceError('SLUICE_E_USAGE', 'report similar needs --uri URI and a known --model');
    }
    const self = await queryVector(reader, params.uri, model);
    // SQLite: the threaded scan over the file; PostgreSQL: the vectors read in chunks (similar-pg.ts).
    const hits =
      reader instanceof SqliteReportReader
        ? nearestPosts(reader.db, column, self.vector, self.id, params.limit, params.session)
        : await scanPgVectors(reader, { column, query: self.vector, selfId: self.id, k: params.limit, author: params.session });
    const rows: ReportValue[][] = [];
    for (const h of hits) {
      // A scan thread reads on its own connection, so beside a writer it may see a post this
      // snapshot no longer has; such a hit is left out rather than shown half.
      const found = await reader.one('SELECT at_uri, author_did, content FROM posts WHERE id = ?', [h.id]);
      if (found === undefined) continue;
      const [atUri, author, content] = found;
      rows.push([cell(atUri), cell(author), Math.round(h.similarity * 10_000) / 10_000, shortened(content)]);
    }
    return { sql: '', args: [], rows, caption: `nearest ${params.uri} by ${model} (cosine similarity)` };
  },
};
