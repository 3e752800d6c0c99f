// Faults on demand (/_contract/faults): their state, validation, and the per-item bulk faults.
import { EsError } from './protocol.mjs';
import { fired } from './stats.mjs';

export let faults = emptyFaults();
/** Bulk requests held by `holdMs` now, each by the function that lets it go on. */
const held = new Set();

/** Holds a bulk request `ms`, or until `releaseHeld` lets it go on. */
export function holdRequest(ms) {
  return new Promise((resolve) => {
    const release = () => {
      clearTimeout(timer);
      held.delete(release);
      resolve();
    };
    const timer = setTimeout(release, ms);
    held.add(release);
  });
}

/** Lets every held bulk request go on at once; how many there were. */
export function releaseHeld() {
  const releases = [...held];
  for (const release of releases) release();
  return releases.length;
}
let everyNthCounter = 0;
// Whether any per-id fault is set: looking a long _id up in an object costs ~0.5 µs (V8 must
// internalize the string), so bulk items skip it when there is nothing to find.
let hasIdFaults = false;

export function emptyFaults() {
  return { rejectIds: {}, rejectEveryNth: undefined, failRequests: undefined, dropConnections: undefined, slowMs: undefined, holdMs: undefined, reject4xxIds: {}, searchWithoutShards: undefined, failSearches: undefined };
}

const FAULT_KEYS = ['rejectIds', 'rejectEveryNth', 'failRequests', 'dropConnections', 'slowMs', 'holdMs', 'reject4xxIds', 'searchWithoutShards', 'failSearches'];

/** Validates a fault set; every problem is listed in one 400. */
export function parseFaults(input) {
  const problems = [];
  const next = emptyFaults();
  const isObj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
  const posInt = (x) => Number.isInteger(x) && x > 0;
  const status = (x) => Number.isInteger(x) && x >= 400 && x <= 599;
  if (!isObj(input)) problems.push('body must be a JSON object');
  for (const key of Object.keys(isObj(input) ? input : {})) if (!FAULT_KEYS.includes(key)) problems.push(`unknown fault [${key}]; known: ${FAULT_KEYS.join(', ')}`);
  const f = isObj(input) ? input : {};
  if (f.rejectIds !== undefined) {
    for (const [id, spec] of Object.entries(isObj(f.rejectIds) ? f.rejectIds : {})) {
      const s = spec?.status ?? 429;
      const times = spec?.times ?? 1;
      if (!status(s) || !posInt(times)) problems.push(`rejectIds[${id}] needs status 400-599 and times >= 1`);
      next.rejectIds[id] = { status: s, times };
    }
  }
  if (f.rejectEveryNth !== undefined) {
    const { n, status: s = 429, times = Number.POSITIVE_INFINITY } = f.rejectEveryNth ?? {};
    if (!posInt(n) || !status(s) || !(times === Number.POSITIVE_INFINITY || posInt(times))) problems.push('rejectEveryNth needs n >= 1, status 400-599, times >= 1');
    next.rejectEveryNth = { n, status: s, times };
  }
  if (f.failRequests !== undefined) {
    const { status: s = 503, times = 1 } = f.failRequests ?? {};
    if (!status(s) || !posInt(times)) problems.push('failRequests needs status 400-599 and times >= 1');
    next.failRequests = { status: s, times };
  }
  if (f.dropConnections !== undefined) {
    const { times = 1 } = f.dropConnections ?? {};
    if (!posInt(times)) problems.push('dropConnections needs times >= 1');
    next.dropConnections = { times };
  }
  if (f.slowMs !== undefined) {
    const { ms, times = 1 } = f.slowMs ?? {};
    if (!(Number.isFinite(ms) && ms >= 0) || !posInt(times)) problems.push('slowMs needs ms >= 0 and times >= 1');
    next.slowMs = { ms, times };
  }
  if (f.holdMs !== undefined) {
    const { ms, times = 1 } = f.holdMs ?? {};
    if (!(Number.isFinite(ms) && ms >= 0) || !posInt(times)) problems.push('holdMs needs ms >= 0 and times >= 1');
    next.holdMs = { ms, times };
  }
  if (f.reject4xxIds !== undefined) {
    for (const [id, s] of Object.entries(isObj(f.reject4xxIds) ? f.reject4xxIds : {})) {
      if (!(Number.isInteger(s) && s >= 400 && s <= 499)) problems.push(`reject4xxIds[${id}] must be a 4xx status`);
      next.reject4xxIds[id] = s;
    }
  }
  if (f.searchWithoutShards !== undefined) {
    const { times = 1 } = f.searchWithoutShards ?? {};
    if (!posInt(times)) problems.push('searchWithoutShards needs times >= 1');
    next.searchWithoutShards = { times };
  }
  if (f.failSearches !== undefined) {
    const { status: s = 400, times = 1 } = f.failSearches ?? {};
    if (!status(s) || !posInt(times)) problems.push('failSearches needs status 400-599 and times >= 1');
    next.failSearches = { status: s, times };
  }
  if (problems.length > 0) throw new EsError(400, 'contract_faults_invalid', problems.join('; '));
  return next;
}

/** The faults with remaining counts; an unlimited `times` shows as null (JSON has no Infinity). */
export function faultsView() {
  return JSON.parse(JSON.stringify(faults));
}

export function itemFault(id) {
  return (hasIdFaults && idFault(id)) || everyNthFault(id);
}

function idFault(id) {
  const permanent = faults.reject4xxIds[id];
  if (permanent !== undefined) {
    fired('reject4xxIds');
    return new EsError(permanent, 'mapper_parsing_exception', `failed to parse document with id '${id}' (contract fault reject4xxIds)`);
  }
  const byId = faults.rejectIds[id];
  if (byId && byId.times > 0) {
    byId.times--;
    fired('rejectIds');
    return transientItemError(byId.status, id);
  }
  return undefined;
}

function everyNthFault(id) {
  const nth = faults.rejectEveryNth;
  if (nth && nth.times > 0) {
    everyNthCounter++;
    if (everyNthCounter % nth.n === 0) {
      nth.times--;
      fired('rejectEveryNth');
      return transientItemError(nth.status, id);
    }
  }
  return undefined;
}

function transientItemError(status, id) {
  if (status === 429) return new EsError(429, 'es_rejected_execution_exception', `rejected execution of coordinating operation for [${id}] (contract fault)`);
  if (status === 503) return new EsError(503, 'unavailable_shards_exception', `[contract][0] primary shard is not active (contract fault, id [${id}])`);
  return new EsError(status, 'exception', `contract fault for [${id}]`);
}

/** Replaces the fault set and restarts the rejectEveryNth count. */
export function setFaults(next) {
  faults = next;
  everyNthCounter = 0;
  hasIdFaults = Object.keys(next.reject4xxIds).length > 0 || Object.keys(next.rejectIds).length > 0;
}
