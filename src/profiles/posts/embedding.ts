import { inflateSync } from 'node:zlib';
import { base85Capacity, decodeBase85Into } from '../../decoders/base85.js';

/** Floats in every MiniLM sentence embedding Sluice keeps. */
export const EMBEDDING_DIMS = 384;

/** The zlib bytes of the vector being decoded: reused, inflated at once (no allocation per vector). */
let packedScratch = new Uint8Array(4096);

/** A decoded embedding, or why it could not be used. */
export type EmbeddingResult = { bytes: Uint8Array } | { problem: string };

/**
 * A Megastream embedding: RFC 1924 base85 text of zlib-compressed little-endian float32 values. The
 * result is the raw float32 bytes (little-endian, ready for a BLOB or a `Float32Array`), checked to
 * hold exactly `dims` finite floats.
 */
export function decodeEmbedding(text: unknown, dims = EMBEDDING_DIMS): EmbeddingResult {
  if (typeof text !== 'string') return { problem: 'not a string' };
  if (packedScratch.length < base85Capacity(text)) packedScratch = new Uint8Array(base85Capacity(text) * 2);
  const packedBytes = decodeBase85Into(text, packedScratch);
  if (packedBytes === undefined) return { problem: 'not base85 text' };
  const packed = packedScratch.subarray(0, packedBytes);
  let bytes: Uint8Array;
  try {
    // Output chunks of exactly one vector: one allocation of the right size (not 16 KiB) per call,
    // and a stream that inflates to more than one vector stops there.
    bytes = inflateSync(packed, { chunkSize: Math.max(64, dims * 4), maxOutputLength: dims * 4 });
  } catch (err) {
    const tooLong = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    return { problem: tooLong ? `more than ${dims} floats` : 'not zlib data' };
  }
  if (bytes.length !== dims * 4) return { problem: `${bytes.length / 4} floats, expected ${dims}` };
  // Float32Array views need 4-byte alignment (they are little-endian on x64 and arm64, the platforms
  // Sluice supports); zlib's buffers are aligned, and a copy makes any other one so.
  if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, dims);
  for (let i = 0; i < dims; i++) {
    const v = floats[i] as number;
    if (v - v !== 0) return { problem: `value ${i} is not a finite number` };
  }
  return { bytes };
}
