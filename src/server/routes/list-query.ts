import { HttpError } from '../http-error.js';
import type { ListCursor, ListQuery } from '../registry/ldo-registry.js';

const MAX_LIMIT = 1000;

/** `?skip&limit&since&until&ldo_id&cursor` → a registry query; a bad value is a 400 naming it. */
export function listQueryOf(raw: Record<string, unknown>): ListQuery {
  const text = (name: string): string | undefined => {
    const v = raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new HttpError('bad_query', `give ${name} once`);
    return v;
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const v = text(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) throw new HttpError('bad_query', `${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
  const time = (name: string): number | undefined => {
    const v = text(name);
    if (v === undefined) return undefined;
    const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
    if (Number.isNaN(ms)) throw new HttpError('bad_query', `${name} must be an ISO 8601 time or unix seconds`);
    return ms;
  };
  const cursor = text('cursor');
  const ldoId = text('ldo_id');
  return {
    skip: int('skip', 0, 0, Number.MAX_SAFE_INTEGER),
    limit: int('limit', 100, 1, MAX_LIMIT),
    sinceMs: time('since'),
    untilMs: time('until'),
    ...(ldoId !== undefined ? { ldoId } : {}),
    ...(cursor !== undefined && cursor !== '' ? { cursor: decodeCursor(cursor) } : {}),
  };
}

/** An opaque keyset cursor: base64url of `<created ms>:<id>`. */
export function encodeCursor(c: ListCursor): string {
  return Buffer.from(`${c.createdMs}:${c.id}`).toString('base64url');
}

export function decodeCursor(text: string): ListCursor {
  const m = /^(\d{1,15}):(ldo_[0-9a-f]{12}_\d{1,12})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!m?.[1] || !m[2]) throw new HttpError('bad_query', 'cursor is not one this service gave (use next_cursor as is)');
  return { createdMs: Number(m[1]), id: m[2] };
}
