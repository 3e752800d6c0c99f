// An Elasticsearch *contract* server for tests and benchmarks, in its own process: the REST API
// subset that Sluice's Elasticsearch sink uses (info, indices/aliases, _bulk, _mget, _count,
// _search, _delete_by_query, _doc), kept in memory, plus faults on demand. Node built-ins only, so
// benchmarks can fork it with plain `node`.
//
// Start: fork(thisFile, [JSON.stringify(options)]). Options: { apiKey, tls: { cert, key } |
// { certFile, keyFile }, keepSources (default true), autoCreate (default true), version
// (default '8.15.0'), strictCompat (default false), host, port }. The child answers
// { type: 'listening', port, url } over IPC (or prints that JSON line on stdout without IPC),
// stops on the IPC message 'stop', and exits when its parent's IPC channel disconnects.
//
// Admin endpoints (never behind the API key; test-only): GET /_contract/dump?index=NAME,
// GET /_contract/stats, GET /_contract/requests, GET|POST|DELETE /_contract/faults,
// POST /_contract/clear. See es-contract-server.ts for the fault semantics.
//
// This file is the entry (options, routing, server, IPC); the rest lives beside it: protocol.mjs
// (errors, responses, bodies), indices.mjs, mappings.mjs (field types: multi-fields, ignore_above,
// text analysis), source-scanner.mjs, documents.mjs, bulk.mjs, queries.mjs, search.mjs, faults.mjs,
// stats.mjs, admin.mjs.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { handleAdmin } from './admin.mjs';
import { bulkEndpoint } from './bulk.mjs';
import { applyWrite, entryFromObject, newId, validateSource, viewOf } from './documents.mjs';
import { addAlias, aliases, aliasesOf, collectVectors, createIndex, deleteIndex, globToRegExp, indices, removeAlias, resolveRead, resolveWrite } from './indices.mjs';
import { expectedAuth, major, options, version } from './options.mjs';
import { EsError, parseJsonBody, readBody, send } from './protocol.mjs';
import { asArray, filterSource, matching } from './queries.mjs';
import { handleScroll, handleSearch, scrolls } from './search.mjs';
import { REQUEST_LOG_LIMIT, bump, requestLog, stats } from './stats.mjs';

// ---------------------------------------------------------------------------------------------
// REST routing

function checkCompat(req) {
  const allowed = [major, major - 1];
  for (const header of ['accept', 'content-type']) {
    const m = /compatible-with=(\d+)/.exec(req.headers[header] ?? '');
    if (m && !allowed.includes(Number(m[1]))) {
      const name = header === 'accept' ? 'Accept' : 'Content-Type';
      throw new EsError(400, 'media_type_header_exception', 'Invalid media-type value on headers [Accept, Content-Type]', {
        caused_by: { type: 'status_exception', reason: `${name} version must be either version ${major} or ${major - 1}, but found ${m[1]}. ${name}=${req.headers[header]}` },
      });
    }
  }
}

/** Normalised endpoint name for stats: index names become {index}, ids {id}. */
function endpointOf(method, parts) {
  const shape = parts.map((p, i) => (p.startsWith('_') ? p : i === 0 ? '{index}' : parts[i - 1] === '_alias' || parts[i - 1] === '_aliases' ? '{name}' : '{id}'));
  return `${method} /${shape.join('/')}`;
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://contract');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === '_contract') return handleAdmin(req, res, parts, url);

  const endpoint = endpointOf(req.method, parts);
  bump(stats.requests, endpoint);
  const logEntry = { method: req.method, path: url.pathname, endpoint };
  requestLog.push(logEntry);
  if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.shift();
  res.on('finish', () => (logEntry.status = res.statusCode));

  if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
    const reason = req.headers.authorization ? 'unable to authenticate with provided credentials and anonymous access is not allowed for this request' : 'missing authentication credentials for REST request [' + url.pathname + ']';
    throw new EsError(401, 'security_exception', reason, { header: { 'WWW-Authenticate': ['ApiKey', 'Basic realm="security", charset="UTF-8"'] } });
  }
  if (options.strictCompat) checkCompat(req);

  const q = url.searchParams;
  const [first, second, third] = parts;
  const m = req.method;
  const readJson = async () => parseJsonBody(await readBody(req));

  if (parts.length === 0) {
    if (m === 'GET' || m === 'HEAD') {
      return send(res, 200, {
        name: 'contract-node', cluster_name: 'es-contract', cluster_uuid: 'contract-cluster-uuid',
        version: { number: version, build_flavor: 'default', build_type: 'docker', lucene_version: '9.11.1', minimum_wire_compatibility_version: '7.17.0', minimum_index_compatibility_version: '7.0.0' },
        tagline: 'You Know, for Search',
      });
    }
  }
  if (first === '_bulk' || second === '_bulk') return bulkEndpoint(req, res, first === '_bulk' ? undefined : first, q, logEntry);
  if (first === '_cluster' && second === 'health') return send(res, 200, { cluster_name: 'es-contract', status: 'green', timed_out: false, number_of_nodes: 1 });
  if (first === '_aliases' && m === 'POST') {
    const body = await readJson();
    for (const action of asArray(body.actions)) {
      const [kind, spec] = Object.entries(action)[0] ?? [];
      const names = [...asArray(spec?.index), ...asArray(spec?.indices)];
      const aliasNames = [...asArray(spec?.alias), ...asArray(spec?.aliases)];
      if (kind === 'remove_index') {
        for (const n of names) deleteIndex(n);
        continue;
      }
      if (kind !== 'add' && kind !== 'remove') throw new EsError(400, 'illegal_argument_exception', `unsupported alias action [${kind}]`);
      for (const n of names) for (const a of aliasNames) (kind === 'add' ? addAlias : removeAlias)(n, a);
    }
    return send(res, 200, { acknowledged: true, errors: false });
  }
  if (first === '_alias' || first === '_aliases' || second === '_alias' || second === '_aliases') {
    const indexExpr = first.startsWith('_') ? undefined : first;
    const name = first.startsWith('_') ? second : third;
    if ((m === 'PUT' || m === 'POST') && indexExpr && name) {
      for (const idx of resolveRead(indexExpr)) addAlias(idx.name, name);
      return send(res, 200, { acknowledged: true, errors: false });
    }
    if (m === 'DELETE' && indexExpr && name) {
      for (const idx of resolveRead(indexExpr)) removeAlias(idx.name, name);
      return send(res, 200, { acknowledged: true, errors: false });
    }
    if (m === 'GET' || m === 'HEAD') {
      const re = name ? globToRegExp(name) : /^/;
      const scope = indexExpr ? new Set(resolveRead(indexExpr).map((i) => i.name)) : undefined;
      const out = {};
      for (const [alias, set] of aliases) {
        if (!re.test(alias)) continue;
        for (const n of set) if (!scope || scope.has(n)) (out[n] ??= { aliases: {} }).aliases[alias] = {};
      }
      if (!name && scope) for (const n of scope) out[n] ??= { aliases: {} };
      if (name && Object.keys(out).length === 0) return send(res, 404, { error: `alias [${name}] missing`, status: 404 });
      return send(res, 200, out);
    }
  }
  if (first === '_mget' || second === '_mget') {
    const body = await readJson();
    const defaultIndex = first === '_mget' ? undefined : first;
    const specs = body.docs ?? asArray(body.ids).map((id) => ({ _id: id }));
    const docs = specs.map((spec) => {
      const name = spec._index ?? defaultIndex;
      const id = String(spec._id);
      let targets;
      try {
        targets = resolveRead(name);
      } catch (err) {
        return { _index: name, _id: id, error: err.body().error };
      }
      for (const index of targets) {
        const doc = index.docs.get(id);
        if (doc) {
          const out = { _index: index.name, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1, found: true };
          if (doc.routing !== undefined) out._routing = doc.routing;
          const src = filterSource(viewOf(doc), spec._source ?? body._source);
          if (src !== undefined) out._source = src;
          return out;
        }
      }
      return { _index: targets[0]?.name ?? name, _id: id, found: false };
    });
    return send(res, 200, { docs });
  }
  if (first === '_search' && second === 'scroll') {
    const body = await readJson();
    if (m === 'DELETE') {
      const ids = third ? third.split(',') : asArray(body.scroll_id);
      const freed = ids.filter((id) => id === '_all' || scrolls.has(id)).length;
      if (ids.includes('_all')) scrolls.clear();
      for (const id of ids) scrolls.delete(id);
      return send(res, 200, { succeeded: true, num_freed: freed });
    }
    return send(res, 200, handleScroll(third ?? body.scroll_id ?? q.get('scroll_id')));
  }
  if (first === '_search' || second === '_search') {
    const body = await readJson();
    return send(res, 200, handleSearch(resolveRead(first === '_search' ? undefined : first, q.get('ignore_unavailable') === 'true'), body, q));
  }
  if (first === '_count' || second === '_count') {
    const body = await readJson();
    const targets = resolveRead(first === '_count' ? undefined : first);
    return send(res, 200, { count: matching(targets, body.query).length, _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 } });
  }
  if (first === '_refresh' || second === '_refresh') {
    const targets = resolveRead(first === '_refresh' ? undefined : first);
    return send(res, 200, { _shards: { total: targets.length, successful: targets.length, failed: 0 } });
  }
  if (second === '_delete_by_query' && m === 'POST') {
    const body = await readJson();
    const t0 = Date.now();
    const hits = matching(resolveRead(first), body.query);
    for (const h of hits) h.index.docs.delete(h.id);
    return send(res, 200, { took: Date.now() - t0, timed_out: false, total: hits.length, deleted: hits.length, batches: 1, version_conflicts: 0, noops: 0, retries: { bulk: 0, search: 0 }, failures: [] });
  }
  if (second === '_mapping' || second === '_mappings') {
    if (m === 'GET') return send(res, 200, Object.fromEntries(resolveRead(first).map((i) => [i.name, { mappings: i.mappings }])));
    const body = await readJson();
    for (const index of resolveRead(first)) {
      index.mappings = { ...index.mappings, ...body, properties: { ...(index.mappings.properties ?? {}), ...(body.properties ?? {}) } };
      index.vectors = collectVectors(index.mappings.properties, [], []);
    }
    return send(res, 200, { acknowledged: true });
  }
  if (second === '_doc' || second === '_create' || second === '_update' || second === '_source') return docEndpoint(req, res, parts, q);
  if (parts.length === 1 && !first.startsWith('_')) {
    if (m === 'PUT') {
      createIndex(first, await readJson());
      return send(res, 200, { acknowledged: true, shards_acknowledged: true, index: first });
    }
    if (m === 'HEAD') return send(res, indices.has(first) || aliases.has(first) || resolveRead(first, true).length > 0 ? 200 : 404, undefined);
    if (m === 'GET') {
      const targets = resolveRead(first);
      return send(res, 200, Object.fromEntries(targets.map((i) => [i.name, { aliases: aliasesOf(i.name), mappings: i.mappings, settings: { index: { ...(i.settings.index ?? i.settings), provided_name: i.name, uuid: 'contract', number_of_shards: '1', number_of_replicas: '1' } } }])));
    }
    if (m === 'DELETE') {
      for (const name of first.split(',')) deleteIndex(name);
      return send(res, 200, { acknowledged: true });
    }
  }
  throw new EsError(400, 'illegal_argument_exception', `no handler found for uri [${url.pathname}] and method [${m}] (not implemented by the contract server)`);
}
async function docEndpoint(req, res, parts, q) {
  const [indexName, kind, rawId] = parts;
  const m = req.method;
  const id = rawId ?? newId();
  const routing = q.get('routing') ?? undefined;
  const result = (index, { status, ...r }) => send(res, status, { _index: index.name, _id: id, ...r });
  if ((kind === '_doc' || kind === '_source') && (m === 'GET' || m === 'HEAD')) {
    const [index] = resolveRead(indexName);
    const doc = index?.docs.get(id);
    if (!doc) return send(res, 404, { _index: index?.name ?? indexName, _id: id, found: false });
    if (kind === '_source') return send(res, 200, viewOf(doc));
    return send(res, 200, { _index: index.name, _id: id, _version: doc.version, _seq_no: doc.seqNo, _primary_term: 1, found: true, ...(doc.routing !== undefined ? { _routing: doc.routing } : {}), _source: viewOf(doc) });
  }
  if (kind === '_doc' && m === 'DELETE') {
    const index = resolveWrite(indexName, false);
    return result(index, applyWrite('delete', index, id, undefined, routing));
  }
  if (m === 'PUT' || m === 'POST') {
    const raw = await readBody(req);
    const body = parseJsonBody(raw);
    const op = kind === '_create' || q.get('op_type') === 'create' ? 'create' : kind === '_update' ? 'update' : 'index';
    const index = resolveWrite(indexName);
    const payload = op === 'update' ? body : (target) => (validateSource(target, id, body), entryFromObject(body, raw));
    return result(index, applyWrite(op, index, id, payload, routing));
  }
  throw new EsError(405, 'method_not_allowed', `Incorrect HTTP method for uri [/${parts.join('/')}] and method [${m}]`);
}
// ---------------------------------------------------------------------------------------------
// Server

async function onRequest(req, res) {
  try {
    await handle(req, res);
  } catch (err) {
    if (res.headersSent || res.destroyed) return;
    if (err instanceof EsError) {
      const extra = err.extra.header ? { 'www-authenticate': err.extra.header['WWW-Authenticate'].join(', ') } : {};
      send(res, err.status, err.body(), extra);
    } else {
      send(res, 500, new EsError(500, 'contract_server_bug', String(err?.stack ?? err)).body());
    }
  }
}

function tlsOptions() {
  const t = options.tls;
  if (!t) return undefined;
  return { cert: t.cert ?? readFileSync(t.certFile, 'utf8'), key: t.key ?? readFileSync(t.keyFile, 'utf8') };
}

const tls = tlsOptions();
const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
// Longer than any client's idle keep-alive, so the client never reuses a socket we just closed.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;
server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
  const { port } = server.address();
  const message = { type: 'listening', port, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}` };
  if (process.send) process.send(message);
  else process.stdout.write(`${JSON.stringify(message)}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('message', (m) => {
  if (m === 'stop' || m?.type === 'stop') stop();
});
// The parent died or let go of us: never outlive it.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', stop);
