// Request counters and the request log (GET /_contract/stats, GET /_contract/requests).

export const REQUEST_LOG_LIMIT = 1000;

export let stats = emptyStats();
/** @type {Array<Record<string, unknown>>} */
export let requestLog = [];

function emptyStats() {
  return { requests: {}, bulkRequests: 0, bulkBytes: 0, bulkItems: { byAction: {}, byStatus: {} }, faultsFired: {} };
}
export function bump(obj, key, by = 1) {
  obj[key] = (obj[key] ?? 0) + by;
}
export function fired(kind) {
  bump(stats.faultsFired, kind);
}

/** POST /_contract/clear: fresh counters and an empty request log. */
export function resetStats() {
  stats = emptyStats();
  requestLog = [];
}
