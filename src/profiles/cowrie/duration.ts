/**
 * A `cowrie.session.closed` duration in seconds, from the forms real logs hold: a number (`0.073`),
 * a numeric string (`"88.7"`) or `HH:MM:SS` (`"00:01:28"`). Anything else is null (the session's
 * duration then falls back to last seen − first seen).
 */
export function durationSeconds(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const hms = /^(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$/.exec(s);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  return null;
}
