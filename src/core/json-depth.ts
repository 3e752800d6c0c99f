/**
 * How deep JSON may nest, in arrays and objects together: `{"a":[1]}` is 2 levels. Deeper input is
 * refused (a `too_deep` bad record, a 400 answer) before anything recursive (serialisers, hashes,
 * canonical forms) walks it and overflows the stack. Real records nest a handful of levels.
 */
export const MAX_JSON_DEPTH = 1000;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/**
 * Whether the JSON `text` nests deeper than `limit` levels. Only a text of more than `limit`
 * characters can, so the hot path (short lines) costs one comparison. Strings are skipped, so a
 * bracket inside one does not count; the text need not be valid JSON.
 */
export function jsonTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  if (text.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth -= 1;
    }
  }
  return false;
}

/** The reason text of a record refused for its depth. */
export function tooDeepReason(limit = MAX_JSON_DEPTH): string {
  return `too_deep: nests more than ${limit} levels of arrays and objects`;
}
