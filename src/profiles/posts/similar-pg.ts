import type { ReportReader } from '../../reports/report-reader.js';
import { floats, isVector, VECTOR_BYTES } from './similar-read.js';
import { vectorScorer, type ScanPlan } from './similar-scan.js';
import type { Hit } from './similar-topk.js';

/**
 * The scan of `report similar` over PostgreSQL: the BYTEA vectors of `plan.column` stream through the
 * reader's cursor (a batch at a time, never all at once) into the same scorer as the SQLite scan, so
 * both give the same hits in the same order. PostgreSQL does the filtering (not the post itself, the
 * author with `--session`, only vectors of the right size).
 */
export async function scanPgVectors(reader: ReportReader, plan: ScanPlan): Promise<Hit[]> {
  const scorer = vectorScorer(plan);
  const col = `"${plan.column}"`;
  const byAuthor = plan.author !== undefined ? ' AND author_did = ?' : '';
  const rows = reader.rows(
    `SELECT id, ${col} FROM posts WHERE ${col} IS NOT NULL AND octet_length(${col}) = ${VECTOR_BYTES} AND id <> ?${byAuthor}`,
    plan.author !== undefined ? [plan.selfId, plan.author] : [plan.selfId],
  );
  for await (const [id, blob] of rows) if (isVector(blob)) scorer.visit(Number(id), floats(blob), 0);
  return scorer.hits();
}
