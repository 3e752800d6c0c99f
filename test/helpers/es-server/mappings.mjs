// Field types from an index's mappings, and the little of text analysis the contract server models.
//
// Only explicitly mapped fields change how queries and sorts see a document; a field that is not in
// the mappings keeps the server's plain behaviour (its raw source values), so indices created
// without mappings work as before.

/**
 * @typedef {{ type: string | undefined, source: string[], ignoreAbove: number | undefined, fielddata: boolean }} FieldDef
 * `source`: where the field's values are in `_source` (a multi-field reads its parent's values).
 */

/** @type {WeakMap<object, Map<string, FieldDef>>} mappings object → field path → definition */
const flatCache = new WeakMap();

/**
 * Every field path of a `properties` tree: object fields through their nested `properties`, and
 * multi-fields through `fields`. ES multi-fields: "index the same field in different ways"; a
 * sub-field `author_did.keyword` has no value of its own in `_source`, it indexes the values of
 * `author_did` (https://www.elastic.co/guide/en/elasticsearch/reference/8.15/multi-fields.html).
 */
function flatten(properties, prefix, out) {
  if (!properties || typeof properties !== 'object') return out;
  for (const [name, def] of Object.entries(properties)) {
    if (!def || typeof def !== 'object') continue;
    const path = prefix ? `${prefix}.${name}` : name;
    const source = path.split('.');
    out.set(path, defOf(def, source));
    for (const [sub, subDef] of Object.entries(def.fields ?? {})) {
      if (subDef && typeof subDef === 'object') out.set(`${path}.${sub}`, defOf(subDef, source));
    }
    if (def.properties) flatten(def.properties, path, out);
  }
  return out;
}

function defOf(def, source) {
  return { type: def.type ?? (def.properties ? 'object' : undefined), source, ignoreAbove: def.ignore_above, fielddata: def.fielddata === true };
}

/** The mapping of `field` (dotted path) in `index`, or undefined when the mappings do not name it. */
export function fieldDef(index, field) {
  const mappings = index.mappings ?? {};
  let flat = flatCache.get(mappings);
  if (!flat) {
    flat = flatten(mappings.properties, '', new Map());
    flatCache.set(mappings, flat);
  }
  return flat.get(field);
}

/**
 * `ignore_above` (keyword): "Strings longer than the ignore_above setting will not be indexed or
 * stored" — such a value matches no query and is missing for sorting and `exists`. ES counts
 * characters (Java String length, i.e. UTF-16 units, like JS `length`).
 */
export function indexedByKeyword(def, value) {
  return def.type !== 'keyword' || def.ignoreAbove === undefined || typeof value !== 'string' || value.length <= def.ignoreAbove;
}

/**
 * Tokens of a `text` value under the default `standard` analyzer, approximated: lowercase, then
 * split on every character that is not a letter, digit or combining mark (Unicode-aware).
 *
 * Deliberately stricter than ES's UAX#29 word-break rules, which keep letters joined by `:` `.` `'`
 * (`did:plc:abc`, `app.bsky.feed.post`, `dog's` stay one token) and digits joined by `.` `,`
 * (`3.14`), but split `did:plc:2abc` into `did:plc` and `2abc`. Here identifier-like values always
 * break apart, so a `term` query with a whole identifier on a `text` field never matches — in ES it
 * matches for some values and not others, which is the bug a test should catch.
 */
export function analyze(value) {
  if (value === null || typeof value === 'object') return [];
  return String(value).toLowerCase().split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
}

/** Reason of the 400 that ES 8 answers for sorting on a `text` field without fielddata. */
export const textSortReason = (field) =>
  `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`;
