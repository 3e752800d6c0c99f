import type Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import type { ReportDefinition, ReportValue } from '../../reports/report.js';
import { EMBEDDING_DIMS } from './embedding.js';

/** The embedding models whose vectors `posts` keeps, by `--model` name, with their column. */
export const EMBEDDING_COLUMNS: Readonly<Record<string, string>> = {
  all_MiniLM_L12_v2: 'embedding_l12',
  all_MiniLM_L6_v2: 'embedding_l6',
};
const MODELS = Object.keys(EMBEDDING_COLUMNS);
const DEFAULT_MODEL = 'all_MiniLM_L12_v2';

/** Characters of `content` a `similar` row carries (a table cuts it further). */
const CONTENT_CHARS = 160;

/** One scored post. */
interface Hit {
  id: number;
  similarity: number;
}

/** The float32 values of a stored vector, without a copy when the buffer is 4-byte aligned. */
function floats(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  return new Float32Array(blob.slice().buffer);
}

/** Whether `value` is a stored vector of the expected size (not NULL, not a stray value). */
function isVector(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === EMBEDDING_DIMS * 4;
}

/**
 * Keeps the `k` best hits seen so far, best first. An insertion into a short sorted array: with k in
 * the tens, cheaper than a heap, and most candidates are rejected by one comparison with the worst.
 * Ties keep the lower id first (the scan runs in id order), so the result does not depend on timing.
 */
class TopK {
  private readonly kept: Hit[] = [];
  private sorted = true;

  /** `k` Infinity keeps every hit, sorted once at the end (an insertion sort would be quadratic). */
  constructor(private readonly k: number) {}

  /** The hits, best first. */
  get hits(): Hit[] {
    if (!this.sorted) {
      this.kept.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
      this.sorted = true;
    }
    return this.kept;
  }

  /** The score a candidate must beat to enter; -Infinity until full. */
  get floor(): number {
    return this.kept.length < this.k ? -Infinity : (this.kept[this.kept.length - 1]?.similarity ?? -Infinity);
  }

  add(id: number, similarity: number): void {
    const hits = this.kept;
    if (this.k === Infinity) {
      hits.push({ id, similarity });
      this.sorted = false;
      return;
    }
    let i = hits.length;
    while (i > 0 && (hits[i - 1]?.similarity ?? Infinity) < similarity) i--;
    if (i >= this.k) return;
    hits.splice(i, 0, { id, similarity });
    if (hits.length > this.k) hits.pop();
  }
}

/**
 * The `k` stored vectors of `column` most similar (cosine) to the vector of post `selfId`, every one
 * compared exactly. Rows stream in id order as raw BLOBs viewed as Float32Array; the query's norm is
 * computed once, each candidate's in the same pass as its dot product. `k` undefined keeps all.
 */
export function nearestPosts(
  db: Database.Database,
  column: string,
  query: Float32Array,
  selfId: number,
  k: number | undefined,
  author: string | undefined,
): Hit[] {
  let qq = 0;
  for (let i = 0; i < query.length; i++) qq += (query[i] ?? 0) * (query[i] ?? 0);
  const qNorm = Math.sqrt(qq);
  const top = new TopK(k ?? Infinity);
  const byAuthor = author !== undefined ? 'AND author_did = ?' : '';
  const rows = db
    .prepare(`SELECT id, "${column}" FROM posts WHERE "${column}" IS NOT NULL AND id <> ? ${byAuthor} ORDER BY id`)
    .raw(true)
    .iterate(...(author !== undefined ? [selfId, author] : [selfId])) as Iterable<[number, unknown]>;
  const n = query.length;
  for (const [id, blob] of rows) {
    if (!isVector(blob)) continue;
    const v = floats(blob);
    let dot = 0;
    let vv = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i] as number;
      dot += (query[i] as number) * x;
      vv += x * x;
    }
    if (vv === 0) continue; // a zero vector points nowhere: no similarity to speak of
    const similarity = dot / (qNorm * Math.sqrt(vv));
    if (similarity > top.floor) top.add(id, similarity);
  }
  return top.hits;
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
    const rows = hits.map((h): ReportValue[] => {
      const [atUri, author, content] = post.get(h.id) as [string, string, string];
      return [atUri, author, Math.round(h.similarity * 10_000) / 10_000, shortened(content)];
    });
    return { sql: '', args: [], rows, caption: `nearest ${params.uri} by ${model} (cosine similarity)` };
  },
};
