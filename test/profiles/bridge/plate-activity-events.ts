import { mulberry32 } from '../../helpers/prng.js';

/**
 * Events with what the aggregates must get right: plates over several sessions, events without a
 * plate (HITs too), an empty plate, HITs without `t_rel_ms`, events without `ts_ms`, T0s and HITs of
 * another type, and duplicates near and far. `t_rel_ms` is a whole number: every sum is exact, and no
 * mean of fewer than 2,000 of them lies on a rounding tie, so SQLite's of any version rounds it the
 * same (the shell's older SQLite rounds some ties otherwise; ties have a test of their own).
 */
export function plateEvents(count: number, seed: number): unknown[] {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const sessions = ['s-a', 's-b', 's-c', 'S-d'];
  const seqs = sessions.map(() => 0);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const k = int(sessions.length);
    const r = rnd();
    const noTs = rnd() < 0.03;
    const e: Record<string, unknown> = {
      session_id: sessions[k],
      seq: (seqs[k] = (seqs[k] ?? 0) + 1),
      // Without ts_ms the map takes t_rel_ms; without both, the event has no time.
      ts_ms: noTs ? undefined : 1_000_000 + i * 37 + int(500),
      type: r < 0.8 ? 'event' : r < 0.9 ? 'status' : 'error',
      msg: r < 0.6 ? 'HIT' : r < 0.75 ? 'T0' : r < 0.85 ? 'HIT' : 'other',
      plate: rnd() < 0.1 ? undefined : rnd() < 0.02 ? '' : `P${int(12)}`,
      t_rel_ms: rnd() < 0.05 || (noTs && rnd() < 0.5) ? undefined : int(200_000),
    };
    out.push(e);
    if (rnd() < 0.04) out.push(e);
    if (rnd() < 0.03 && out.length > 20) out.push(out[int(out.length - 1)] as Record<string, unknown>);
  }
  return out;
}

/** The old raw query of report `hits` (before `plate_activity`): what the summary must give. `filter`: more conditions (`AND …`). */
export function oldHitsSql(filter = ''): string {
  return `SELECT plate, count(*) AS hits, min(t_rel_ms) AS min_t_rel_ms, max(t_rel_ms) AS max_t_rel_ms,
           round(avg(t_rel_ms), 3) AS mean_t_rel_ms
         FROM events WHERE type = 'event' AND msg = 'HIT' ${filter}
         GROUP BY plate ORDER BY hits DESC, plate NULLS LAST`;
}

/**
 * 40 HITs of one decimal for each of 300 plates: a mean on a rounding tie (x.xxx5) for every odd sum
 * of tenths, so a sum that depends on how the HITs were split into batches rounds some means otherwise.
 */
export function tenthHits(sessionOf: (i: number) => string): unknown[] {
  const rnd = mulberry32(9);
  const hits: unknown[] = [];
  for (let i = 0; i < 300 * 40; i++) {
    hits.push({ session_id: sessionOf(i), seq: i, ts_ms: i, type: 'event', msg: 'HIT', plate: `Q${i % 300}`, t_rel_ms: Math.floor(rnd() * 3_000_000) / 10 });
  }
  return hits;
}

/**
 * The same events with what report `types` must get right besides: some without a type or a msg
 * (NULL: a key of its own) and some with an empty type (`''`, another key). A duplicate stays the
 * same object as its original, so it keeps being a duplicate.
 */
export function withOddTypes(records: readonly unknown[]): unknown[] {
  const changed = new Map<unknown, unknown>();
  return records.map((r) => {
    const known = changed.get(r);
    if (known !== undefined) return known;
    const e = { ...(r as Record<string, unknown>) };
    const seq = Number(e.seq);
    if (seq % 13 === 0) delete e.type;
    else if (seq % 29 === 0) e.type = '';
    if (seq % 11 === 0) delete e.msg;
    changed.set(r, e);
    return e;
  });
}

/** The old raw query of report `types` (before `type_counts`), SQLite's text. `filter`: more conditions (`AND …`). */
export function oldTypesSql(filter = ''): string {
  return `SELECT type, msg, count(*) AS events FROM events WHERE true ${filter}
         GROUP BY type, msg ORDER BY events DESC, type NULLS LAST, msg NULLS LAST`;
}
