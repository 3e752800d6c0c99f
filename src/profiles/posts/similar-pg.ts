import type { ReportReader } from '../../reports/report-reader.js';
import { floats, VECTOR_BYTES } from './similar-read.js';
import { vectorScorer, type ScanPlan } from './similar-scan.js';
import type { Hit } from './similar-topk.js';

/** Posts per chunk: 1.5 MB of vectors a round trip. */
const CHUNK_ROWS = 1024;

/**
 * The scan of `report similar` over PostgreSQL, through the same scorer as the SQLite scan, so both
 * give the same hits in the same order. Reading one row per vector costs more than the scan (node-
 * postgres parses each row and its hex BYTEA), so, as SQLite's scan does with group_concat, one
 * statement returns a chunk: the ids of up to CHUNK_ROWS posts and their vectors concatenated in id
 * order, as base64 (decoded natively). Each chunk continues after the last id of the one before,
 * through the primary key, in the report's snapshot; never more than a chunk in memory.
 */
export async function scanPgVectors(reader: ReportReader, plan: ScanPlan): Promise<Hit[]> {
  const scorer = vectorScorer(plan);
  const col = `"${plan.column}"`;
  const byAuthor = plan.author !== undefined ? ' AND author_did = ?' : '';
  const sql = `SELECT max(id), count(*), string_agg(CAST(id AS TEXT), ',' ORDER BY id),
      encode(string_agg(v, ''::bytea ORDER BY id), 'base64')
    FROM (SELECT id, ${col} AS v FROM posts
      WHERE id > ? AND id <> ? AND octet_length(${col}) = ${VECTOR_BYTES}${byAuthor}
      ORDER BY id LIMIT ${CHUNK_ROWS}) AS chunk`;
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const row = await reader.one(sql, plan.author !== undefined ? [after, plan.selfId, plan.author] : [after, plan.selfId]);
    const [lastId, count, ids, vectors] = row ?? [null, 0, null, null];
    if (lastId === null || typeof ids !== 'string' || typeof vectors !== 'string') return scorer.hits();
    const idList = ids.split(',');
    const bytes = Buffer.from(vectors, 'base64');
    if (idList.length !== count || bytes.byteLength !== idList.length * VECTOR_BYTES) {
      throw new Error(`similar: a chunk of ${idList.length} ids came with ${bytes.byteLength} bytes of vectors`);
    }
    const values = floats(bytes);
    const dims = VECTOR_BYTES / 4;
    for (let i = 0; i < idList.length; i++) scorer.visit(Number(idList[i]), values, i * dims);
    if (idList.length < CHUNK_ROWS) return scorer.hits();
    after = Number(lastId);
  }
}
