import { viewOf } from './documents.mjs';
import { emptyFaults, faultsView, parseFaults, releaseHeld, setFaults } from './faults.mjs';
import { aliases, indices, resolveRead } from './indices.mjs';
import { keepSources } from './options.mjs';
import { EsError, parseJsonBody, readBody, send } from './protocol.mjs';
import { scrolls } from './search.mjs';
import { requestLog, resetStats, stats } from './stats.mjs';

// ---------------------------------------------------------------------------------------------
// Admin (/_contract/*)

/** Documents of an index/alias/pattern; a missing name dumps as [] (convenient in tests). */
function dumpIndex(name) {
  const targets = resolveRead(name, true);
  const out = [];
  for (const index of targets) {
    for (const [id, doc] of index.docs) {
      const entry = { _index: index.name, _id: id, _source: viewOf(doc) };
      if (doc.routing !== undefined) entry.routing = doc.routing;
      if (!keepSources) entry.sha256 = doc.sha256;
      out.push(entry);
    }
  }
  return out.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : a._index < b._index ? -1 : 1));
}

export async function handleAdmin(req, res, parts, url) {
  const route = `${req.method} ${parts.slice(1).join('/')}`;
  switch (route) {
    case 'GET dump': {
      const index = url.searchParams.get('index');
      if (!index) throw new EsError(400, 'illegal_argument_exception', 'dump needs ?index=NAME');
      return send(res, 200, dumpIndex(index));
    }
    case 'GET stats':
      return send(res, 200, { ...stats, docs: Object.fromEntries([...indices].map(([n, i]) => [n, i.docs.size])) });
    case 'GET requests':
      return send(res, 200, requestLog);
    case 'GET faults':
      return send(res, 200, faultsView());
    case 'POST faults':
    case 'PUT faults':
      setFaults(parseFaults(parseJsonBody(await readBody(req))));
      return send(res, 200, faultsView());
    case 'POST release':
      return send(res, 200, { released: releaseHeld() });
    case 'DELETE faults':
      setFaults(emptyFaults());
      return send(res, 200, { acknowledged: true });
    case 'POST clear':
      indices.clear();
      scrolls.clear();
      aliases.clear();
      setFaults(emptyFaults());
      resetStats();
      return send(res, 200, { acknowledged: true });
    default:
      throw new EsError(400, 'illegal_argument_exception', `no contract admin endpoint ${req.method} /${parts.join('/')}`);
  }
}
