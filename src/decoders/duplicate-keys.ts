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
  const suspects = keys.filter((k) => {
    const quoted = `"${k}"`;
    const first = text.indexOf(quoted);
    return first >= 0 && text.indexOf(quoted, first + quoted.length) >= 0;
  });
  if (suspects.length === 0) return undefined;
  const seen = new Map<string, unknown>();
  for (const [key, valueText] of topLevelEntries(text)) {
    if (!suspects.includes(key)) continue;
    const value = parseOrText(valueText);
    if (seen.has(key) && !sameValue(seen.get(key), value)) return key;
    seen.set(key, value);
  }
  return undefined;
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
