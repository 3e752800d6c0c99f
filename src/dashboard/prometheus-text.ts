/**
 * The samples of a Prometheus text exposition (`/metrics`), by metric name. Labelled samples of one
 * name are summed; comments and histogram buckets (`_bucket`) are skipped.
 */
export function parsePrometheusText(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] === undefined || m[3] === undefined || m[1].endsWith('_bucket')) continue;
    const value = Number(m[3]);
    if (Number.isFinite(value)) out[m[1]] = (out[m[1]] ?? 0) + value;
  }
  return out;
}
