import { allDigits, numberEnd, stringEnd as stringifyStringEnd } from './stringify-form.js';

/**
 * `canonicalJson` of the value `text` parses to, read from the text itself, when the text is in
 * `JSON.stringify`'s form (what `isStringifyForm` says yes to, told as the text is read); else undefined, and the caller
 * takes the value's way. In that form every scalar is written as `canonicalJson` writes it, so the
 * canonical text is the text with each object's members in sorted key order: members are moved as
 * whole pieces of the text, and an object already in order (with all inside it) is one piece. No
 * string is built per scalar, as the value's way must (about half of an app-log entry's key).
 * Anything this reading does not know for sure (a key with an escape, a repeated key) says undefined.
 */
export function canonicalFromText(text: string): string | undefined {
  return readEntryText(text)?.canonical;
}

/**
 * `canonicalFromText`, with where the entry's members (and their members) lie in the text. In
 * `JSON.stringify`'s form the text of a member's value is `JSON.stringify` of that value, so a
 * caller can cut it from the text instead of writing the value again (an app-log row's `query`,
 * `headers` and `params`: about a tenth of a parser thread).
 */
export function readEntryText(text: string): EntryText | undefined {
  // The same texts `rawData` keeps (`isStringifyForm`), told in the same reading: no lone surrogate
  // here, and each scalar, key and the spaces between them as the reading meets them (a second
  // pass over the text cost a fifth of the reading).
  if (!(text as unknown as WellFormed).isWellFormed()) return undefined;
  escapes = text.includes('\\');
  at = 0;
  depth = 0;
  entry = undefined;
  const canonical = text.charCodeAt(0) === OPEN_BRACE ? object(text) : undefined;
  if (canonical === undefined || at !== text.length || entry === undefined) return undefined;
  return new EntryText(text, canonical === SAME ? text : canonical, entry);
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20): no lone surrogate. */
interface WellFormed {
  isWellFormed(): boolean;
}

/** An entry read by `readEntryText`: its canonical text, and its members' texts. */
export class EntryText {
  constructor(
    private readonly text: string,
    /** `canonicalJson` of the entry. */
    readonly canonical: string,
    private readonly members: ObjectReading,
  ) {}

  /**
   * The text of the value of the entry's member `key` (or, with `inner`, of that member's member
   * `inner`), which is `JSON.stringify` of the value; undefined when a member on the way is absent,
   * or (with `inner`) the member is not an object.
   */
  valueText(key: string, inner?: string): string | undefined {
    const m = this.members.order.keys.indexOf(key);
    if (m < 0) return undefined;
    if (inner === undefined) return this.text.substring(this.members.spans[3 * m + 1] as number, this.members.spans[3 * m + 2] as number);
    const child = this.members.children?.[m];
    if (child === undefined) return undefined;
    const k = child.order.keys.indexOf(inner);
    return k < 0 ? undefined : this.text.substring(child.spans[3 * k + 1] as number, child.spans[3 * k + 2] as number);
  }
}

/** An object's members as `object` read them: spans (key start, value start, value end per member) and key order; at the entry's level, the reading of each member whose value is an object. */
interface ObjectReading {
  spans: readonly number[];
  order: KeyOrder;
  children?: (ObjectReading | undefined)[];
}

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_T = 0x74;

/** Said of a value whose canonical text is its own piece of the text. */
const SAME = '';

/** Where the reading is in the text (one reading at a time: no state object per call). */
let at = 0;
/** Whether the text has a backslash (else a string ends at the next quote, and has no escape to check). */
let escapes = false;
/** How deep the object being read is (1: the entry). */
let depth = 0;
/** The entry's members, once read (`object` at depth 1). */
let entry: ObjectReading | undefined;
/** The members of the last object read at depth 2 (a member of the entry). */
let lastMember: ObjectReading | undefined;

/** A key order seen before (named by its first key) and the order its members go in, sorted. */
interface KeyOrder {
  keys: readonly string[];
  sorted: readonly number[];
  /** Already in order: members stay where they are. */
  inOrder: boolean;
  /**
   * A key made of digits comes after the first: not `JSON.stringify`'s form (a parsed object puts
   * an integer-like key first).
   */
  digitKeyLater: boolean;
}

/** How many key orders are remembered before the memory starts afresh. */
const REMEMBERED = 4096;
const keyOrders = new Map<string, KeyOrder>();

/** An object without members. */
const NO_MEMBERS: ObjectReading = { spans: [], order: { keys: [], sorted: [], inOrder: true, digitKeyLater: false } };

/** The object at `at` (`{`): its canonical text, `SAME`, or undefined (not known for sure). */
function object(text: string): string | undefined {
  depth += 1;
  const canonical = members(text);
  depth -= 1;
  return canonical;
}

/** `object` inside its `{`, at `depth`. */
function members(text: string): string | undefined {
  at += 1;
  if (text.charCodeAt(at) === CLOSE_BRACE) {
    at += 1;
    if (depth === 1) entry = NO_MEMBERS;
    else if (depth === 2) lastMember = NO_MEMBERS;
    return SAME;
  }
  const level = depth;
  // At the entry's level: the reading of each member whose value is an object.
  const children: (ObjectReading | undefined)[] | undefined = level === 1 ? [] : undefined;
  // Per member: where its `"key":` starts, where its value starts and ends; and the value's canonical text.
  const spans: number[] = [];
  const values: string[] = [];
  let same = true;
  for (;;) {
    const start = at;
    if (text.charCodeAt(at) !== QUOTE) return undefined;
    const close = text.indexOf('"', at + 1);
    if (close < 0) return undefined;
    at = close + 1;
    if (text.charCodeAt(at) !== COLON) return undefined;
    at += 1;
    const valueStart = at;
    const value = valueAt(text);
    if (value === undefined) return undefined;
    if (value !== SAME) same = false;
    if (children !== undefined) children.push(text.charCodeAt(valueStart) === OPEN_BRACE ? lastMember : undefined);
    spans.push(start, valueStart, at);
    values.push(value);
    const c = text.charCodeAt(at);
    at += 1;
    if (c === CLOSE_BRACE) break;
    if (c !== COMMA) return undefined;
  }
  const order = keyOrder(text, spans);
  if (order === undefined || order.digitKeyLater) return undefined;
  if (level === 1) entry = { spans, order, children };
  else if (level === 2) lastMember = { spans, order };
  if (order.inOrder && same) return SAME;
  let out = '{';
  const sorted = order.sorted;
  for (let i = 0; i < sorted.length; i++) {
    const m = sorted[i] as number;
    const start = spans[3 * m] as number;
    const value = values[m] as string;
    if (i > 0) out += ',';
    out += value === SAME ? text.substring(start, spans[3 * m + 2]) : text.substring(start, spans[3 * m + 1]) + value;
  }
  return `${out}}`;
}

/** The key order of an object's members (`spans`, as `object` keeps them), remembered; undefined for a key with an escape or a repeated key. */
function keyOrder(text: string, spans: readonly number[]): KeyOrder | undefined {
  const n = spans.length / 3;
  const first = text.substring((spans[0] as number) + 1, (spans[1] as number) - 2);
  const known = keyOrders.get(first);
  if (known !== undefined && known.keys.length === n && sameKeys(text, spans, known.keys)) return known;
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = text.substring((spans[3 * i] as number) + 1, (spans[3 * i + 1] as number) - 2);
    if (key.includes('\\')) return undefined; // an escape in a key: the value's way
    keys.push(key);
  }
  const sorted = keys.map((_, i) => i).sort((a, b) => compareKeys(keys[a] as string, keys[b] as string));
  for (let i = 1; i < n; i++) if (keys[sorted[i - 1] as number] === keys[sorted[i] as number]) return undefined;
  const digitKeyLater = keys.some((k, i) => i > 0 && allDigits(k, 0, k.length));
  const order = { keys, sorted, inOrder: sorted.every((m, i) => m === i), digitKeyLater };
  if (keyOrders.size >= REMEMBERED) keyOrders.clear();
  keyOrders.set(first, order);
  return order;
}

/** Whether the object's keys are `keys`, compared in the text (no string cut per key). */
function sameKeys(text: string, spans: readonly number[], keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const start = (spans[3 * i] as number) + 1;
    if ((spans[3 * i + 1] as number) - 2 - start !== key.length || !text.startsWith(key, start)) return false;
  }
  return true;
}

/** Keys in `Array.prototype.sort`'s order (UTF-16 code units), as `canonicalJson` sorts them. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The array at `at` (`[`): its canonical text, `SAME`, or undefined. */
function array(text: string): string | undefined {
  at += 1;
  if (text.charCodeAt(at) === CLOSE_BRACKET) {
    at += 1;
    return SAME;
  }
  const items: (string | [number, number])[] = [];
  let same = true;
  for (;;) {
    const itemStart = at;
    const value = valueAt(text);
    if (value === undefined) return undefined;
    if (value !== SAME) same = false;
    items.push(value === SAME ? [itemStart, at] : value);
    const c = text.charCodeAt(at);
    at += 1;
    if (c === CLOSE_BRACKET) break;
    if (c !== COMMA) return undefined;
  }
  if (same) return SAME;
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as string | [number, number];
    if (i > 0) out += ',';
    out += typeof item === 'string' ? item : text.substring(item[0], item[1]);
  }
  return `${out}]`;
}

/**
 * The value at `at`: its canonical text, `SAME` (a scalar always is), or undefined (also for a scalar
 * `JSON.stringify` would write otherwise, or a space after it).
 */
function valueAt(text: string): string | undefined {
  const c = text.charCodeAt(at);
  if (c === OPEN_BRACE) return object(text);
  if (c === OPEN_BRACKET) return array(text);
  let end: number;
  if (c === QUOTE) {
    // Without a backslash in the text a string ends at the next quote.
    end = escapes ? stringifyStringEnd(text, at + 1) : text.indexOf('"', at + 1) + 1;
    if (end <= 0) return undefined;
    at = end;
    return SAME;
  }
  if (c === MINUS || (c >= ZERO && c <= NINE)) end = numberEnd(text, at);
  else if (c === LOWER_T || c === LOWER_N) end = at + 4; // true, null (the text parsed)
  else if (c === LOWER_F) end = at + 5; // false
  else return undefined; // a space
  if (end < 0) return undefined;
  // A space after it is met by the caller, which wants a comma or a closing bracket there.
  at = end;
  return SAME;
}
