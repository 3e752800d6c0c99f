import type { EncodedRows } from '../../core/rows/row-chunk.js';

/** Messages to decode: their bodies one after another, each body's length and stream sequence. */
export interface DecodeRequest {
  id: number;
  bodies: Uint8Array;
  lengths: Int32Array;
  seqs: Float64Array;
}

/** The rows of a request, per table, and the parts that were not rows. */
export interface DecodeResult {
  id: number;
  rows: EncodedRows[];
  /** Rows added, all tables together. */
  records: number;
  /** `index`: the message within the request; `raw`: the bad row's JSON (else the message is raw). */
  bad: Array<{ index: number; reason: string; raw?: string | undefined }>;
}

/** What the decode thread answers: a result, or why it could not decode at all. */
export type FromDecodeThread = DecodeResult | { id: number; error: string };
