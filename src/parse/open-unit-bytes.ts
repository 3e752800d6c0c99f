import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { SluiceError } from '../core/errors.js';
import type { UnitPlan } from '../core/parse-message.js';
import { unitBytes } from './unit-bytes.js';

/** Bytes of one unit from its resume point, and how many raw bytes have been read so far. */
export interface UnitBytes {
  chunks: AsyncIterable<Buffer>;
  /** Raw (on-disk) bytes consumed so far; for gzip, compressed bytes. */
  rawBytes(): number;
}

/**
 * Opens a unit for reading from its cursor. A plain file is read from the offset directly; a gzip
 * file (told by its content when it was planned) cannot seek, so it is decompressed from the start and
 * the bytes before the offset skipped. Standard input is gunzipped when its first bytes say gzip. A
 * `.gz` name on bytes that are not gzip is an error, as in every source.
 */
export function openUnitBytes(plan: UnitPlan, readBytes: number, stdin?: Readable): UnitBytes {
  if (plan.path === null) {
    if (!stdin) throw new Error('standard input can only be read in the main thread');
    let raw = 0;
    return { chunks: unitBytes(counted(stdin, (n) => (raw += n)), plan.display), rawBytes: () => raw };
  }
  if (!plan.gzip && /\.gz$/i.test(plan.display)) {
    throw new SluiceError('SLUICE_E_SOURCE', `${plan.display}: named .gz but is not gzip data`, { because: 'not_gzip' });
  }
  const file = createReadStream(plan.path, {
    start: plan.gzip ? 0 : plan.startOffset,
    highWaterMark: readBytes,
  });
  if (!plan.gzip) {
    return { chunks: file as AsyncIterable<Buffer>, rawBytes: () => plan.startOffset + file.bytesRead };
  }
  // Unwrapped by the container its content calls for (the decoder registry's), in chunks of `readBytes`.
  return { chunks: skipBytes(unitBytes(file as AsyncIterable<Buffer>, plan.display, readBytes), plan.startOffset), rawBytes: () => file.bytesRead };
}

async function* counted(stream: Readable, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    add(buf.length);
    yield buf;
  }
}

async function* skipBytes(stream: AsyncIterable<Buffer>, skip: number): AsyncIterable<Buffer> {
  let left = skip;
  for await (const chunk of stream) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}
