/**
 * JSON text of a value with every object's keys in sorted order, so one entry has one text whatever
 * the order its writer put the keys in, and whether it was read from the log itself or back from a
 * PostgreSQL `jsonb` column (which reorders keys). Numbers and strings are as `JSON.stringify` writes them.
 *
 * The text keys stored rows (`logs.id`), so it must never change by a byte. It is built by appending to
 * one string (no array of parts per level), with each key's quoted form and each key order remembered:
 * the entries of one log mostly share their keys, in the same order.
 */
export function canonicalJson(value: unknown): string {
  return canonicalJsonCounted(value).text;
}

/** `canonicalJson`, with how many keys the value's objects have in all (each object's own keys). */
export function canonicalJsonCounted(value: unknown): { text: string; keys: number } {
  keysCounted = 0;
  const text = value !== null && typeof value === 'object' ? canonicalContainer(value) : scalarJson(value);
  return { text, keys: keysCounted };
}

/** Counted by `canonicalContainer` during one `canonicalJsonCounted` call (read right after it, never elsewhere). */
let keysCounted = 0;

function canonicalContainer(value: object): string {
  if (Array.isArray(value)) {
    const items = value as unknown[];
    let text = '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) text += ',';
      const item = items[i];
      if (item !== null && typeof item === 'object') text += canonicalContainer(item);
      // A hole in a sparse array is written as nothing, as `Array.prototype.join` writes it.
      else if (item === undefined) text += i in items ? 'null' : '';
      else text += scalarJson(item);
    }
    return `${text}]`;
  }
  const o = value as Record<string, unknown>;
  const own = Object.keys(o);
  keysCounted += own.length;
  const keys = sortedKeys(own);
  let text = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = o[key];
    if (item === undefined) continue;
    text += first ? quotedKey(key) : `,${quotedKey(key)}`;
    first = false;
    text += item !== null && typeof item === 'object' ? canonicalContainer(item) : scalarJson(item);
  }
  return `${text}}`;
}

/** A scalar as `JSON.stringify` writes it (and `null` for what it cannot write). */
function scalarJson(value: unknown): string {
  // A string with nothing to escape is itself in quotes: no copy of it (measured a quarter less for strings).
  if (typeof value === 'string') return ESCAPED_IN_JSON.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value) ?? 'null';
}

/** What JSON.stringify writes otherwise in a string: a quote, a backslash, a control character, a surrogate. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPED_IN_JSON = /["\\\u0000-\u001f\ud800-\udfff]/;

/** How many keys (and key orders) are remembered before the memory starts afresh. */
const REMEMBERED = 4096;

const quotedKeys = new Map<string, string>();

/** `"key":`, remembered. */
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = `${JSON.stringify(key)}:`;
    if (quotedKeys.size >= REMEMBERED) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** A key order seen before (its first key names it) and the same keys sorted. */
interface KeyOrder {
  keys: readonly string[];
  sorted: readonly string[];
}

const keyOrders = new Map<string, KeyOrder>();

/** `keys` sorted by UTF-16 code units (as `Array.prototype.sort` does), remembered by key order. */
function sortedKeys(keys: string[]): readonly string[] {
  if (keys.length < 2) return keys;
  const first = keys[0] as string;
  const known = keyOrders.get(first);
  if (known !== undefined && sameKeys(known.keys, keys)) return known.sorted;
  const sorted = inOrder(keys) ? keys : [...keys].sort();
  if (keyOrders.size >= REMEMBERED) keyOrders.clear();
  keyOrders.set(first, { keys, sorted });
  return sorted;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function inOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  return true;
}
