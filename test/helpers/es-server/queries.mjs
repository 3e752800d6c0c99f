import { getPath, viewOf } from './documents.mjs';
import { globToRegExp } from './indices.mjs';
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

/** Values of a field; top-level scalars are read without parsing a lazily kept source. */
function fieldValues(doc, id, field) {
  if (field === '_id') return [id];
  const path = field.split('.');
  const v = path.length === 1 && path[0] in doc.scalars ? doc.scalars[path[0]] : getPath(viewOf(doc), path);
  return asArray(v).filter((x) => x !== undefined && x !== null);
}

const sameScalar = (a, b) => a === b || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));

function fieldAndParam(clause, valueKey) {
  const [field, spec] = Object.entries(clause ?? {}).find(([k]) => k !== 'boost' && k !== '_name') ?? [];
  if (field === undefined) throw new EsError(400, 'parsing_exception', 'query clause has no field');
  const value = spec !== null && typeof spec === 'object' && !Array.isArray(spec) && valueKey in spec ? spec[valueKey] : spec;
  return [field, value];
}

function compileQuery(q) {
  if (q === undefined || q === null) return () => true;
  const [kind, clause] = Object.entries(q)[0] ?? ['match_all', {}];
  switch (kind) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'term':
    case 'match':
    case 'match_phrase': {
      const [field, value] = fieldAndParam(clause, kind === 'term' ? 'value' : 'query');
      return (doc, id) => fieldValues(doc, id, field).some((v) => sameScalar(v, value));
    }
    case 'terms': {
      const [field, values] = fieldAndParam(clause, '__none__');
      if (!Array.isArray(values)) throw new EsError(400, 'parsing_exception', '[terms] query requires an array of values');
      return (doc, id) => fieldValues(doc, id, field).some((v) => values.some((w) => sameScalar(v, w)));
    }
    case 'ids': {
      const values = new Set(asArray(clause.values).map(String));
      return (_doc, id) => values.has(id);
    }
    case 'exists':
      return (doc, id) => fieldValues(doc, id, clause.field).length > 0;
    case 'prefix': {
      const [field, value] = fieldAndParam(clause, 'value');
      return (doc, id) => fieldValues(doc, id, field).some((v) => String(v).startsWith(String(value)));
    }
    case 'range': {
      const [field, b] = fieldAndParam(clause, '__none__');
      const checks = [];
      if (b.gte !== undefined) checks.push((v) => compareValues(v, b.gte) >= 0);
      if (b.gt !== undefined) checks.push((v) => compareValues(v, b.gt) > 0);
      if (b.lte !== undefined) checks.push((v) => compareValues(v, b.lte) <= 0);
      if (b.lt !== undefined) checks.push((v) => compareValues(v, b.lt) < 0);
      return (doc, id) => fieldValues(doc, id, field).some((v) => checks.every((c) => c(v)));
    }
    case 'bool': {
      const must = [...asArray(clause.must), ...asArray(clause.filter)].map(compileQuery);
      const should = asArray(clause.should).map(compileQuery);
      const mustNot = asArray(clause.must_not).map(compileQuery);
      const minShould = clause.minimum_should_match ?? (should.length > 0 && must.length === 0 ? 1 : 0);
      return (doc, id) =>
        must.every((f) => f(doc, id)) && !mustNot.some((f) => f(doc, id)) && should.filter((f) => f(doc, id)).length >= Number(minShould);
    }
    case 'constant_score':
      return compileQuery(clause.filter);
    default:
      throw new EsError(400, 'parsing_exception', `unknown query [${kind}] (the contract server supports match_all, term, terms, ids, exists, prefix, range, match, bool, constant_score)`);
  }
}

export function matching(targets, query) {
  const pred = compileQuery(query);
  const hits = [];
  for (const index of targets) {
    for (const [id, doc] of index.docs) {
      if (pred(doc, id)) hits.push({ index, id, doc });
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

export function sortValue(hit, field) {
  if (field === '_doc') return hit.doc.seqNo;
  if (field === '_score') return 1;
  const vs = fieldValues(hit.doc, hit.id, field);
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
