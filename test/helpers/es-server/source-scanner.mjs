import { checkVector } from './dense-vectors.mjs';

// ---------------------------------------------------------------------------------------------
// Source scanning: a bulk source line is not JSON.parse'd on ingest. A byte scanner walks its
// top-level members once, parses only the scalar ones, and remembers where each member lies, so
// dense_vector values are found without a second walk and checked in place (dense-vectors.mjs);
// flat arrays (vectors) are skipped with native indexOf. JSON.parse of a 15 KB line of floats
// costs ~100 µs, which would cap a benchmark at a few thousand docs/s. keepSources:true parses
// the whole line lazily, on first read. Malformed JSON inside skipped nested values is not
// detected (a real cluster would answer 400).

const Q = 34; // "
const BS = 92; // backslash
const LB = 91; // [
const RB = 93; // ]
const LC = 123; // {
const RC = 125; // }
const COMMA = 44;
const COLON = 58;

export class ScanError extends Error {}

function skipWs(b, p) {
  while (p < b.length) {
    const c = b[p];
    if (c === 32 || c === 10 || c === 13 || c === 9) p++;
    else break;
  }
  return p;
}

/** p at an opening quote → index after the closing quote. */
function skipString(b, p) {
  let from = p + 1;
  for (;;) {
    const i = b.indexOf(Q, from);
    if (i === -1) throw new ScanError('unterminated string');
    let n = 0;
    for (let k = i - 1; b[k] === BS; k--) n++;
    if (n % 2 === 0) return i + 1;
    from = i + 1;
  }
}

/**
 * The string at [start, end) (quotes included), as JSON.parse would read it. Plain strings (no
 * escapes, no control bytes: nearly every key and value) are decoded straight from the bytes, one
 * string instead of a quoted one plus JSON.parse's; anything else is left to JSON.parse, so it
 * throws alike.
 */
function decodeString(b, start, end) {
  for (let i = start + 1; i < end - 1; i++) {
    const c = b[i];
    if (c < 0x20 || c === BS) return JSON.parse(b.toString('utf8', start, end));
  }
  return b.toString('utf8', start + 1, end - 1);
}

function skipValue(b, p) {
  const c = b[p];
  if (c === Q) return skipString(b, p);
  if (c === LC) return scanObject(b, p, undefined);
  if (c === LB) {
    const close = b.indexOf(RB, p + 1);
    if (close === -1) throw new ScanError('unterminated array');
    const inner = b.subarray(p + 1, close);
    if (inner.indexOf(LB) === -1 && inner.indexOf(LC) === -1 && inner.indexOf(Q) === -1) return close + 1;
    p = skipWs(b, p + 1);
    if (b[p] === RB) return p + 1;
    for (;;) {
      p = skipWs(b, skipValue(b, p));
      if (b[p] === COMMA) p = skipWs(b, p + 1);
      else if (b[p] === RB) return p + 1;
      else throw new ScanError(`unexpected byte at ${p}`);
    }
  }
  const start = p;
  while (p < b.length) {
    const d = b[p];
    if (d === COMMA || d === RC || d === RB || d === 32 || d === 10 || d === 13 || d === 9) break;
    p++;
  }
  if (p === start) throw new ScanError(`unexpected byte at ${p}`);
  return p;
}

/** Walks the object at p, calling onMember(key, valueStart, valueEnd); returns the index after it. */
function scanObject(b, p, onMember) {
  if (b[p] !== LC) throw new ScanError('not an object');
  p = skipWs(b, p + 1);
  if (b[p] === RC) return p + 1;
  for (;;) {
    if (b[p] !== Q) throw new ScanError(`expected a key at ${p}`);
    const keyEnd = skipString(b, p);
    const key = onMember ? decodeString(b, p, keyEnd) : undefined;
    p = skipWs(b, keyEnd);
    if (b[p] !== COLON) throw new ScanError(`expected ':' at ${p}`);
    p = skipWs(b, p + 1);
    const vEnd = skipValue(b, p);
    if (onMember) onMember(key, p, vEnd);
    p = skipWs(b, vEnd);
    if (b[p] === COMMA) p = skipWs(b, p + 1);
    else if (b[p] === RC) return p + 1;
    else throw new ScanError(`expected ',' or '}' at ${p}`);
  }
}

/** Span of the value at `path` inside the object at [start, end), or undefined. */
function findPath(b, start, path) {
  let found;
  scanObject(b, start, (key, vs, ve) => {
    if (found) return;
    if (key === path[0]) found = path.length === 1 ? [vs, ve] : b[vs] === LC ? findPath(b, vs, path.slice(1)) : undefined;
    else if (path.length > 1 && key === path.join('.')) found = [vs, ve];
  });
  return found;
}

/** findPath over the top-level members already walked (flat [key, start, end, ...]): the first match wins. */
function findMember(b, members, path) {
  const dotted = path.length > 1 ? path.join('.') : undefined;
  for (let i = 0; i < members.length; i += 3) {
    const key = members[i];
    const vs = members[i + 1];
    const ve = members[i + 2];
    if (key === path[0]) {
      const found = path.length === 1 ? [vs, ve] : b[vs] === LC ? findPath(b, vs, path.slice(1)) : undefined;
      if (found) return found;
    } else if (key === dotted) return [vs, ve];
  }
  return undefined;
}

/** The value of the top-level member at [vs, ve) as JSON.parse would read it. */
function parseMember(line, vs, ve) {
  return line[vs] === Q ? decodeString(line, vs, ve) : JSON.parse(line.toString('utf8', vs, ve));
}

/** Top-level scalars of a source line, with its dense_vector values checked; throws EsError/ScanError. */
export function scanSourceLine(index, id, line) {
  const start = skipWs(line, 0);
  const scalars = {};
  const members = [];
  const end = scanObject(line, start, (key, vs, ve) => {
    members.push(key, vs, ve);
    const c = line[vs];
    if (c !== LC && (c !== LB || ve - vs < 1024)) {
      const v = parseMember(line, vs, ve);
      if (!Array.isArray(v) || (v.length <= 32 && v.every((x) => x === null || typeof x !== 'object'))) scalars[key] = v;
    }
  });
  if (skipWs(line, end) !== line.length) throw new ScanError('trailing bytes after the document');
  for (const v of index.vectors) {
    const span = findMember(line, members, v.path);
    if (span) checkVector(v, id, line, span[0], span[1]);
  }
  return scalars;
}
