import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { UnitPlan } from '../core/parse-message.js';
import { unitBytes } from './unit-bytes.js';

/** The first line of `bytes` that is not blank, parsed; undefined when none is whole or it is not JSON. */
function firstLineValue(bytes: Buffer): unknown {
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(10, start);
    if (nl === -1) return undefined;
    const text = bytes.subarray(start, nl).toString('utf8').trim();
    if (text !== '') {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    }
    start = nl + 1;
  }
}

/** The first record of a plain file (its first non-blank line, up to `maxBytes`), read synchronously. */
export function firstRecordOfFile(path: string, maxBytes: number): unknown {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(maxBytes, 1 << 20));
    const n = readSync(fd, buf, 0, buf.length, 0);
    return firstLineValue(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** The first record of a unit (decompressed when gzip), up to `maxBytes` of it. */
export async function firstRecordOfUnit(plan: UnitPlan, maxBytes: number): Promise<unknown> {
  if (plan.path === null) return undefined;
  if (!plan.gzip) return firstRecordOfFile(plan.path, maxBytes);
  const file = createReadStream(plan.path, { highWaterMark: 64 * 1024 });
  const parts: Buffer[] = [];
  let length = 0;
  try {
    // Unwrapped as every unit is (the decoder registry's container); leaving the loop closes the file.
    for await (const chunk of unitBytes(file as AsyncIterable<Buffer>, plan.display)) {
      parts.push(chunk);
      length += chunk.length;
      if (chunk.includes(10) || length >= maxBytes) break;
    }
  } catch {
    // A damaged unit: its read says so; its first record is whatever came before.
  } finally {
    file.destroy();
  }
  return firstLineValue(Buffer.concat(parts));
}
