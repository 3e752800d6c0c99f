import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Bytes of a file's head that go into its fingerprint. */
export const HEAD_BYTES = 1024;

/** Who a file is: device and inode, plus a hash of its first bytes to tell a re-created file apart. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  /** How many head bytes were hashed (fewer than HEAD_BYTES for a small file). */
  headLength: number;
  headHash: string;
}

/** Reads a file's identity. */
export function readFileIdentity(path: string): FileIdentity {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    const headLength = Math.min(HEAD_BYTES, st.size);
    return { dev: st.dev, ino: st.ino, size: st.size, headLength, headHash: hashHead(fd, headLength) };
  } finally {
    closeSync(fd);
  }
}

/** The identity as one string, as cursors store it. */
export function identityString(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.headLength}:${id.headHash}`;
}

/**
 * True when `path` is still the file a stored identity describes: same device and inode, and its
 * first `headLength` bytes hash the same (so a file truncated and rewritten in place is caught).
 */
export function sameFile(path: string, stored: string): boolean {
  const [dev, ino, len, hash] = stored.split(':');
  const headLength = Number(len);
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (String(st.dev) !== dev || String(st.ino) !== ino || st.size < headLength) return false;
    return hashHead(fd, headLength) === hash;
  } finally {
    closeSync(fd);
  }
}

/** Hash of the first `length` bytes of an open file, as identities hold it. */
export function hashHead(fd: number, length: number): string {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, got);
    if (n === 0) break;
    got += n;
  }
  return createHash('sha256').update(buf.subarray(0, got)).digest('hex').slice(0, 32);
}
