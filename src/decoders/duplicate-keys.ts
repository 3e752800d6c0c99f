const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;

/**
 * The first of `keys` that the top-level object in `text` holds twice with different values (JSON.parse
 * keeps the last one silently), or undefined. Cheap when there is none: a key is looked at closely only
 * when its quoted name occurs more than once anywhere in the text.
 */
export function conflictingKey(text: string, keys: readonly string[]): string | undefined {
  let suspects: string[] | undefined;
  for (const probe of probesOf(keys)) {
    if (occursTwice(text, probe)) (suspects ??= []).push(probe.key);
  }
  if (suspects === undefined) return undefined;
  const seen = new Map<string, unknown>();
  for (const [key, valueText] of topLevelEntries(text)) {
    if (!suspects.includes(key)) continue;
    const value = parseOrText(valueText);
    if (seen.has(key) && !sameValue(seen.get(key), value)) return key;
    seen.set(key, value);
  }
  return undefined;
}

/**
 * How to find a quoted key fast: by its rarest character. A search for `"seq"` stops at every quote
 * of the line (JSON is full of them), one for `q"` only at the rare q: this check ran on every line
 * and cost a quarter as much as JSON.parse itself.
 */
interface KeyProbe {
  key: string;
  /** `"key"`, as it stands in the text. */
  quoted: string;
  /** The tail of `quoted` from its rarest character: what is searched for. */
  anchor: string;
  /** Characters of `quoted` before `anchor`. */
  lead: number;
}

/** Characters from rare to common in JSON text (letters by their frequency in English); others come last. */
const RARE_FIRST = 'qjzxvkwyfbgpmucldhrsnioate';

const probeCache = new WeakMap<readonly string[], KeyProbe[]>();

function probesOf(keys: readonly string[]): KeyProbe[] {
  let probes = probeCache.get(keys);
  if (probes === undefined) {
    probes = keys.map((key) => {
      const quoted = `"${key}"`;
      const rank = (c: string): number => {
        const i = RARE_FIRST.indexOf(c.toLowerCase());
        return i === -1 ? RARE_FIRST.length : i;
      };
      let lead = 0;
      for (let i = 1; i < quoted.length - 1; i++) if (rank(quoted[i] as string) < rank(quoted[lead] as string)) lead = i;
      return { key, quoted, anchor: quoted.slice(lead), lead };
    });
    probeCache.set(keys, probes);
  }
  return probes;
}

/** Whether `probe`'s quoted key occurs at least twice in `text`. */
function occursTwice(text: string, probe: KeyProbe): boolean {
  let found = 0;
  for (let i = text.indexOf(probe.anchor, probe.lead); i !== -1; i = text.indexOf(probe.anchor, i + 1)) {
    if (text.startsWith(probe.quoted, i - probe.lead) && ++found === 2) return true;
  }
  return false;
}

/** The reason text of a record whose key field appears twice with different values. */
export function duplicateKeyReason(key: string): string {
  return `duplicate_key: "${key}" appears more than once with different values`;
}

/** Key and raw value text of each member of the top-level object, in order (nothing for other text). */
function* topLevelEntries(text: string): Generator<[string, string]> {
  let depth = 0;
  let i = 0;
  let key: string | undefined;
  let valueStart = -1;
  let expectKey = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) {
        key = parseOrText(text.slice(i, end + 1)) as string;
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 123 || c === 91) {
      depth += 1;
      if (depth === 1) expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      if (depth === 1 && key !== undefined && valueStart >= 0) yield [key, text.slice(valueStart, i).trim()];
      depth -= 1;
      if (depth === 0) return;
    } else if (depth === 1 && c === COLON) {
      valueStart = i + 1;
    } else if (depth === 1 && c === COMMA) {
      if (key !== undefined && valueStart >= 0) yield [key, text.slice(valueStart, i).trim()];
      key = undefined;
      valueStart = -1;
      expectKey = true;
    }
    i += 1;
  }
}

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 1;
    else if (c === QUOTE) return i;
  }
  return text.length;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}
