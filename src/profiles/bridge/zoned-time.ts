const FORMATS = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = FORMATS.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    FORMATS.set(zone, f);
  }
  return f;
}

/** How far the wall clock of `zone` is ahead of UTC at instant `utcMs`, in milliseconds. */
function offsetAt(zone: string, utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of format(zone).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return wall - Math.floor(utcMs / 1000) * 1000;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Epoch milliseconds (whole, rounded down) of an ISO date-time. With a zone (`Z`, `+02:00`) it is
 * that instant; without one, a wall-clock time in `zone` (an IANA name); a wall time repeated when
 * the clocks go back is taken at its first occurrence, one they skip with the offset before the
 * change. Undefined when the text is not such a time.
 */
export function epochMsOf(text: string, zone: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, suffix] = m;
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number.isNaN(wall) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  if (suffix !== undefined) {
    if (suffix === 'Z') return wall;
    const sign = suffix.startsWith('-') ? -1 : 1;
    const digits = suffix.slice(1).replace(':', '');
    return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  if (zone === 'UTC') return wall;
  // The offsets a day before and after (a zone changes its offset at most once a day): the instant is
  // wall - offset for whichever of them holds there; both hold for a repeated wall time, none for one
  // the clocks skip (read with the offset before the change).
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const valid = [before, after].map((o) => wall - o).filter((t) => offsetAt(zone, t) === wall - t);
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

const DAY_MS = 86_400_000;
