// One benchmark figure with its reference, for the summary table of `npm run bench`.
//
// A bench script calls `verdict(...)` for every figure that has a target. It prints one line
// `##verdict {json}` on stdout; `bench/run-all.mjs` collects those lines into one table per job
// (reference, Sluice, ratio, target, verdict) and `npm run bench -- --json` prints them as JSON.
// Run on its own, a bench script shows the line as is, which is still readable.

export const VERDICT_PREFIX = '##verdict ';

/**
 * @param {object} v
 * @param {string} v.job            the job the figure belongs to: 'bridge', 'cowrie', 'posts', 'reports', …
 * @param {string} v.figure         what was measured, e.g. 'ingest 1,000,000 events into SQLite'
 * @param {string|null} v.reference the reference run in the same benchmark (a public tool), or null
 * @param {number|null} v.referenceValue the reference's figure (seconds unless `unit` says otherwise)
 * @param {number} v.value          Sluice's figure, in the same unit
 * @param {string} [v.unit]         's' (default), 'rows/s', 'MB', …
 * @param {number|null} [v.ratio]   value ÷ referenceValue (computed when both are given)
 * @param {string} v.target         the target as a person reads it: '≤ 0.5× shell', '≤ 1 s', '≥ 0.8× \\copy'
 * @param {boolean|null} v.met      whether the target is met (null: no target, figure only)
 * @param {number|null} [v.peakRssMB]
 */
export function verdict(v) {
  const ratio = v.ratio ?? (v.referenceValue ? v.value / v.referenceValue : null);
  const line = { unit: 's', peakRssMB: null, ...v, ratio: ratio === null ? null : +ratio.toFixed(3) };
  console.log(`${VERDICT_PREFIX}${JSON.stringify(line)}`);
  return line;
}
