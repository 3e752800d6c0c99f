import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { unitContentOf } from '../decoders/registry.js';
import { firstNonSpace, jsonShape, type JsonShape, type UnitContent } from '../decoders/unit-content.js';

/** Bytes read to tell what a file holds. */
const PEEK_BYTES = 64 * 1024;

/** What a file holds, from its first bytes: its container and, for JSON text, its shape. */
export interface UnitPeek {
  content: UnitContent;
  /** After gunzip when `gzip`; undefined for empty or all-white-space text (read as lines). */
  shape: JsonShape | undefined;
}

/**
 * Looks at the first bytes of a file, never at its name alone: gzip by its magic bytes (then the
 * decompressed head is looked at), zip and SQLite by theirs, JSON lines or a JSON array by the first
 * byte that is not white space. A file that cannot be read is reported when it is opened.
 */
export function peekUnit(path: string, name: string): UnitPeek {
  let head: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(PEEK_BYTES);
      head = head.subarray(0, readSync(fd, head, 0, PEEK_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return { content: 'text', shape: undefined };
  }
  const content = unitContentOf(head);
  if (content !== 'gzip') return { content, shape: content === 'text' ? jsonShape(firstNonSpace(head), name) : undefined };
  let inner: Buffer;
  try {
    // A head cut mid-stream: decompress what there is, without asking for the end.
    inner = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return { content, shape: undefined }; // broken gzip: reported when the unit is read
  }
  return { content, shape: jsonShape(firstNonSpace(inner), name) };
}
