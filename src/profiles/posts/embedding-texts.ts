const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The `text_embeddings` object of an `inferences` JSON text, read without parsing the rest: the
 * object is a flat map of model name → base85 string (base85 has no `"` or `\`), while the rest
 * (scores, other models) is most of the bytes. Returns undefined when the text does not have that
 * simple shape (escapes, nesting, no such object): the caller then parses the whole JSON.
 */
export function embeddingTexts(json: string): Map<string, string | null> | undefined {
  const at = json.indexOf('"text_embeddings"');
  if (at < 0) return undefined;
  let i = skip(json, at + '"text_embeddings"'.length);
  if (json.charCodeAt(i) !== 0x3a /* : */) return undefined;
  i = skip(json, i + 1);
  if (json.charCodeAt(i) !== 0x7b /* { */) return undefined;
  const out = new Map<string, string | null>();
  i = skip(json, i + 1);
  if (json.charCodeAt(i) === 0x7d /* } */) return out;
  for (;;) {
    const key = readString(json, i);
    if (!key) return undefined;
    i = skip(json, key.end);
    if (json.charCodeAt(i) !== 0x3a) return undefined;
    i = skip(json, i + 1);
    if (json.startsWith('null', i)) {
      out.set(key.value, null);
      i += 4;
    } else {
      const value = readString(json, i);
      if (!value) return undefined;
      out.set(key.value, value.value);
      i = value.end;
    }
    i = skip(json, i);
    const c = json.charCodeAt(i);
    if (c === 0x7d) return out;
    if (c !== 0x2c /* , */) return undefined;
    i = skip(json, i + 1);
  }
}

function skip(s: string, i: number): number {
  while (i < s.length && WS.has(s.charCodeAt(i))) i++;
  return i;
}

/** A string literal without escapes starting at `i` (the opening quote). */
function readString(s: string, i: number): { value: string; end: number } | undefined {
  if (s.charCodeAt(i) !== 0x22) return undefined;
  const close = s.indexOf('"', i + 1);
  if (close < 0) return undefined;
  const value = s.slice(i + 1, close);
  if (value.includes('\\')) return undefined;
  return { value, end: close + 1 };
}
