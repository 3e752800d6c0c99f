/**
 * The exact cosine scan behind `report similar`, over all of `posts` or the id ranges a thread claims
 * of a split scan. The same code runs in the report's thread and in a scan thread (similar-worker.ts),
 * so both compute bit-identical similarities.
 */
import type Database from 'better-sqlite3';
import {
  ALL_IDS,
  chunkReader,
  readRows,
  readsInChunks,
  withScanCache,
  type IdRange,
  type ReadPlan,
  type VisitVector,
} from './similar-read.js';
import { TopK, type Hit } from './similar-topk.js';

/** What to compare against what. */
export interface ScanPlan extends ReadPlan {
  /** The vector of the post the report is about. */
  query: Float32Array;
  /** How many hits to keep; undefined keeps all. */
  k: number | undefined;
}

/** Scores vectors against a query as they are visited, keeping the best `k`. */
export interface VectorScorer {
  /** Scores one stored vector (the post's id, its values at `offset` floats into `values`). */
  visit: VisitVector;
  /** The kept hits, best first. */
  hits(): Hit[];
}

/**
 * A scorer for `plan`: the query's norm is computed once, each candidate's in the same pass as its
 * dot product. The same code serves every reader (SQLite chunks, a scan thread, PostgreSQL rows), so
 * they all compute bit-identical similarities.
 */
export function vectorScorer(plan: Pick<ScanPlan, 'query' | 'k'>): VectorScorer {
  const { query } = plan;
  const n = query.length;
  let qq = 0;
  for (let i = 0; i < n; i++) qq += (query[i] as number) * (query[i] as number);
  const qNorm = Math.sqrt(qq);
  const top = new TopK(plan.k ?? Infinity);
  const visit = (id: number, v: Float32Array, offset: number): void => {
    let dot = 0;
    let vv = 0;
    for (let i = 0; i < n; i++) {
      const x = v[offset + i] as number;
      dot += (query[i] as number) * x;
      vv += x * x;
    }
    if (vv === 0) return; // a zero vector points nowhere: no similarity to speak of
    const similarity = dot / (qNorm * Math.sqrt(vv));
    if (top.admits(similarity)) top.add(id, similarity);
  };
  return { visit, hits: () => top.hits };
}

/**
 * The `k` stored vectors most similar (cosine) to the query, every one compared exactly, best first:
 * of the whole table, or of the given id ranges (a split scan, which reads in chunks).
 */
export function scanVectors(db: Database.Database, plan: ScanPlan, ranges?: Iterable<IdRange>): Hit[] {
  const scorer = vectorScorer(plan);
  withScanCache(db, () => {
    if (ranges === undefined && !readsInChunks(db, plan)) return readRows(db, plan, scorer.visit);
    const read = chunkReader(db, plan);
    for (const range of ranges ?? [ALL_IDS]) read(range, scorer.visit);
  });
  return scorer.hits();
}
