import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/json-depth.js';
import { HttpError } from './http-error.js';

const MAX_LDO_ID_CHARS = 200;

/**
 * Parses the `metadata` part: JSON, an object, no `__proto__` (or `constructor.prototype`) key at any
 * depth, at most `maxBytes`, and an `ldo_id` that is a short string or number if present.
 */
export function parseMetadata(text: string, maxBytes: number): Record<string, unknown> {
  if (Buffer.byteLength(text) > maxBytes) {
    throw new HttpError('metadata_too_large', `metadata is over ${maxBytes} bytes (--max-metadata-kb)`);
  }
  if (jsonTooDeep(text)) {
    throw new HttpError('metadata_too_deep', `metadata nests more than ${MAX_JSON_DEPTH} levels of arrays and objects`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError('metadata_invalid_json', `metadata is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError('metadata_not_object', 'metadata must be a JSON object, e.g. {"ldo_id": "LDO-123"}');
  }
  rejectPrototypeKeys(value);
  const obj = value as Record<string, unknown>;
  const ldoId = obj.ldo_id;
  if (ldoId !== undefined && ldoId !== null) {
    // A number is kept only where JSON.parse keeps its exact digits: a safe integer. Beyond 2^53 two
    // ids would round to one and the second LDO would be taken for a replay of the first.
    if (typeof ldoId === 'number' && !Number.isSafeInteger(ldoId)) {
      throw new HttpError(
        'metadata_bad_ldo_id',
        `metadata.ldo_id as a number must be an integer of at most ${Number.MAX_SAFE_INTEGER} in size; send a larger or fractional id as a string`,
      );
    }
    const ok = (typeof ldoId === 'string' && ldoId.length > 0) || typeof ldoId === 'number';
    if (!ok || String(ldoId).length > MAX_LDO_ID_CHARS) {
      throw new HttpError('metadata_bad_ldo_id', `metadata.ldo_id must be a non-empty string of at most ${MAX_LDO_ID_CHARS} characters, or an integer`);
    }
  }
  return obj;
}

/** The metadata's `ldo_id` as a string, if any: the number `1` and the string `"1"` are the same id. */
export function ldoIdOf(metadata: Record<string, unknown>): string | null {
  const v = metadata.ldo_id;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

function rejectPrototypeKeys(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      stack.push(...(v as unknown[]));
      continue;
    }
    const obj = v as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (key === '__proto__') throw new HttpError('metadata_forbidden_key', 'metadata may not contain a "__proto__" key');
      if (key === 'constructor' && obj.constructor !== null && typeof obj.constructor === 'object' && 'prototype' in obj.constructor) {
        throw new HttpError('metadata_forbidden_key', 'metadata may not contain "constructor.prototype"');
      }
      stack.push(obj[key]);
    }
  }
}
