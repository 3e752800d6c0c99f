import { getPath, viewOf } from './documents.mjs';
import { globToRegExp } from './indices.mjs';
import { analyze, fieldDef, indexedByKeyword, textSortReason } from './mappings.mjs';
import { EsError } from './protocol.mjs';

// ---------------------------------------------------------------------------------------------
// Queries

export const asArray = (x) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function dateMs(v) {
  if (typeof v === 'string' && v.startsWith('now')) return Date.now();
  return typeof v === 'string' && ISO_DATE.test(v) ? Date.parse(v) : NaN;
}

/** Compares two scalars like ES would on a typed field: numbers numerically, dates as dates. */
function compareValues(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const da = typeof a === 'number' ? a : dateMs(a);
  const db = typeof b === 'number' ? b : dateMs(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Values at a `_source` path; top-level scalars are read without parsing a lazily kept source. */
function sourceValues(doc, path) {
  const v = path.length === 1 && path[0] in doc.scalars ? doc.scalars[path[0]] : getPath(viewOf(doc), path);
  return asArray(v).filter((x) => x !== undefined && x !== null);
}

/**
 * Values of a field as `index` indexed them: through its mapping (a multi-field reads its parent's
 * source values; `ignore_above` drops long keyword values), or the raw source values when the
 * mappings do not name the field.
 */
function fieldValues(index, doc, id, field) {
  if (field === '_id') return [id];
  const def = fieldDef(index, field);
  if (def === undefined) return sourceValues(doc, field.split('.'));
  return sourceValues(doc, def.source).filter((v) => indexedByKeyword(def, v));
}

/**
 * The terms a term-level query (term, terms, prefix, range) compares with: term-level queries are
 * not analyzed, and a `text` field indexed its values' tokens, not the values — so
 * `term: { author_did: 'did:plc:abc' }` on a `text` field finds nothing here (in ES, depending on
 * the value: see `analyze`), while the same on its `author_did.keyword` sub-field does. ES docs,
 * term query: "Avoid using the term query for text fields"
 * (https://www.elastic.co/guide/en/elasticsearch/reference/8.15/query-dsl-term-query.html).
 */
function fieldTerms(index, doc, id, field) {
  const values = fieldValues(index, doc, id, field);
  return fieldDef(index, field)?.type === 'text' ? values.flatMap(analyze) : values;
}

const sameScalar = (a, b) => a === b || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));

function fieldAndParam(clause, valueKey) {
  const [field, spec] = Object.entries(clause ?? {}).find(([k]) => k !== 'boost' && k !== '_name') ?? [];
  if (field === undefined) throw new EsError(400, 'parsing_exception', 'query clause has no field');
  const value = spec !== null && typeof spec === 'object' && !Array.isArray(spec) && valueKey in spec ? spec[valueKey] : spec;
  return [field, value];
}

/**
 * `match` / `match_phrase` on a `text` field analyze the query text like the field's values: `match`
 * finds a document holding any of the query's tokens (all of them with `operator: 'and'`),
 * `match_phrase` one holding them in a row within one value (ES separates array values by a
 * position_increment_gap of 100). A query that analyzes to no tokens matches nothing
 * (zero_terms_query: none). On other fields `match` compares whole values, as ES does for keyword,
 * numeric and date fields.
 */
function compileMatch(kind, clause) {
  const [field, value] = fieldAndParam(clause, 'query');
  const spec = Object.values(clause ?? {}).find((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  const all = kind === 'match' && String(spec?.operator ?? 'or').toLowerCase() === 'and';
  const wanted = analyze(value);
  const inRow = (tokens) => tokens.some((_, i) => wanted.every((t, j) => tokens[i + j] === t));
  return (doc, id, index) => {
    const values = fieldValues(index, doc, id, field);
    if (fieldDef(index, field)?.type !== 'text') return values.some((v) => sameScalar(v, value));
    if (wanted.length === 0) return false;
    if (kind === 'match_phrase') return values.some((v) => inRow(analyze(v)));
    const tokens = new Set(values.flatMap(analyze));
    return all ? wanted.every((t) => tokens.has(t)) : wanted.some((t) => tokens.has(t));
  };
}

/** A query → predicate (doc, id, index); `index` gives the field types of the document's own index. */
function compileQuery(q) {
  if (q === undefined || q === null) return () => true;
  const [kind, clause] = Object.entries(q)[0] ?? ['match_all', {}];
  switch (kind) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'term': {
      const [field, value] = fieldAndParam(clause, 'value');
      return (doc, id, index) => fieldTerms(index, doc, id, field).some((v) => sameScalar(v, value));
    }
    case 'match':
    case 'match_phrase':
      return compileMatch(kind, clause);
    case 'terms': {
      const [field, values] = fieldAndParam(clause, '__none__');
      if (!Array.isArray(values)) throw new EsError(400, 'parsing_exception', '[terms] query requires an array of values');
      return (doc, id, index) => fieldTerms(index, doc, id, field).some((v) => values.some((w) => sameScalar(v, w)));
    }
    case 'ids': {
      const values = new Set(asArray(clause.values).map(String));
      return (_doc, id) => values.has(id);
    }
    case 'exists':
      // A value that was not indexed (over ignore_above) does not count: ES exists query docs.
      return (doc, id, index) => fieldValues(index, doc, id, clause.field).length > 0;
    case 'prefix': {
      const [field, value] = fieldAndParam(clause, 'value');
      return (doc, id, index) => fieldTerms(index, doc, id, field).some((v) => String(v).startsWith(String(value)));
    }
    case 'range': {
      const [field, b] = fieldAndParam(clause, '__none__');
      const checks = [];
      if (b.gte !== undefined) checks.push((v) => compareValues(v, b.gte) >= 0);
      if (b.gt !== undefined) checks.push((v) => compareValues(v, b.gt) > 0);
      if (b.lte !== undefined) checks.push((v) => compareValues(v, b.lte) <= 0);
      if (b.lt !== undefined) checks.push((v) => compareValues(v, b.lt) < 0);
      return (doc, id, index) => fieldTerms(index, doc, id, field).some((v) => checks.every((c) => c(v)));
    }
    case 'bool': {
      const must = [...asArray(clause.must), ...asArray(clause.filter)].map(compileQuery);
      const should = asArray(clause.should).map(compileQuery);
      const mustNot = asArray(clause.must_not).map(compileQuery);
      const minShould = clause.minimum_should_match ?? (should.length > 0 && must.length === 0 ? 1 : 0);
      return (doc, id, index) =>
        must.every((f) => f(doc, id, index)) && !mustNot.some((f) => f(doc, id, index)) && should.filter((f) => f(doc, id, index)).length >= Number(minShould);
    }
    case 'constant_score':
      return compileQuery(clause.filter);
    default:
      throw new EsError(400, 'parsing_exception', `unknown query [${kind}] (the contract server supports match_all, term, terms, ids, exists, prefix, range, match, match_phrase, bool, constant_score)`);
  }
}

export function matching(targets, query) {
  const pred = compileQuery(query);
  const hits = [];
  for (const index of targets) {
    for (const [id, doc] of index.docs) {
      if (pred(doc, id, index)) hits.push({ index, id, doc });
    }
  }
  return hits;
}

export function parseSort(sort) {
  return asArray(sort).map((s) => {
    if (typeof s === 'string') {
      const [field, order] = s.split(':');
      return { field, desc: order === 'desc' || (order === undefined && field === '_score') };
    }
    const [field, spec] = Object.entries(s)[0];
    const order = typeof spec === 'string' ? spec : spec?.order;
    return { field, desc: order === 'desc' };
  });
}

/**
 * Why `index` cannot sort by `keys`, as the shard failure ES reports, or undefined. A `text` field
 * has no doc values and fielddata is off by default, so ES 8 refuses to sort on it; its keyword
 * sub-field sorts (https://www.elastic.co/guide/en/elasticsearch/reference/8.15/text.html#fielddata-mapping-param).
 */
export function sortFailure(index, keys) {
  const text = keys.find((k) => {
    const def = fieldDef(index, k.field);
    return def?.type === 'text' && !def.fielddata;
  });
  return text && { type: 'illegal_argument_exception', reason: textSortReason(text.field) };
}

export function sortValue(hit, field) {
  if (field === '_doc') return hit.doc.seqNo;
  if (field === '_score') return 1;
  // Values over a keyword's ignore_above were not indexed: they sort as missing.
  const vs = fieldTerms(hit.index, hit.doc, hit.id, field);
  return vs.length === 0 ? null : vs[0];
}

export function compareTuples(a, b, keys) {
  for (let i = 0; i < keys.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    // Missing values sort last in both directions, like ES's default `missing: _last`.
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const c = compareValues(x, y);
    if (c !== 0) return keys[i].desc ? -c : c;
  }
  return 0;
}

export function filterSource(src, spec) {
  if (spec === undefined || spec === true) return src;
  if (spec === false) return undefined;
  const includes = asArray(typeof spec === 'object' && !Array.isArray(spec) ? spec.includes ?? spec.include : spec);
  const excludes = asArray(typeof spec === 'object' && !Array.isArray(spec) ? spec.excludes ?? spec.exclude : []);
  const match = (pats, path) => pats.some((p) => globToRegExp(p).test(path) || path.startsWith(`${p}.`));
  const walk = (obj, prefix) => {
    const out = {};
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (match(excludes, path)) continue;
      if (includes.length === 0 || match(includes, path)) out[k] = v;
      else if (v && typeof v === 'object' && !Array.isArray(v) && includes.some((p) => p.startsWith(`${path}.`))) {
        const sub = walk(v, path);
        if (Object.keys(sub).length > 0) out[k] = sub;
      }
    }
    return out;
  };
  return walk(src, '');
}
