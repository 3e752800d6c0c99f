import { mulberry32 } from '../../helpers/prng.js';

/**
 * Events whose sessions change the way the per-(day, IP) and per-IP sums must follow: a session's
 * events spread over five days and out of order (its first seen moves to an earlier day in a later
 * batch), its source IP given only by some events (NULL first, set later), sessions with no IP or no
 * time at all, timestamps ending in odd characters (bytewise order matters), logins, commands and
 * downloads counted, and duplicates near and far.
 */
export function sessionEvents(count: number, seed: number): unknown[] {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const s = int(90);
    const e: Record<string, unknown> = { session: `${s.toString(16).padStart(8, 'c')}d00d`, n: i };
    // Sessions 80-84 have no time at all; the rest over five days (a few texts that are no date).
    if (s < 80 || s >= 85) {
      const t = new Date(Date.UTC(2024, 2, 1) + int(5 * 86_400_000)).toISOString();
      e.timestamp = rnd() < 0.01 ? `${t.slice(0, 10)}é` : rnd() < 0.005 ? ' soon' : t;
    }
    // Sessions 60-69 never name an IP; the others on about one event in four (two IPs share 10.0.0.x).
    if ((s < 60 || s >= 70) && rnd() < 0.25) e.src_ip = `10.0.0.${s % 23}`;
    const kind = int(10);
    if (kind < 3) e.eventid = 'cowrie.command.input';
    else if (kind < 6) Object.assign(e, { eventid: rnd() < 0.3 ? 'cowrie.login.success' : 'cowrie.login.failed', username: 'root', password: 'x' });
    else if (kind < 7) Object.assign(e, { eventid: 'cowrie.session.file_download', url: 'http://x/y', shasum: 'ab' });
    else e.eventid = kind < 9 ? 'cowrie.session.connect' : 'cowrie.session.closed';
    out.push(e);
    if (rnd() < 0.05) out.push(e);
    if (rnd() < 0.03 && out.length > 50) out.push(out[int(out.length - 1)]);
  }
  return out;
}

/** The reports' old queries over session_metrics (SQLite's text): the oracle. */
export const OLD_SUMMARY = `SELECT substr(first_seen, 1, 10) AS period, count(*) AS sessions, count(DISTINCT src_ip) AS unique_ips,
    sum(login_attempts) AS login_attempts, sum(login_success) AS login_successes,
    sum(command_count) AS commands, sum(download_count) AS downloads,
    count(CASE WHEN vt_flagged <> 0 OR dshield_flagged <> 0 THEN 1 END) AS flagged
  FROM session_metrics GROUP BY period ORDER BY period`;
export const OLD_TOP_IPS = `SELECT src_ip, count(*) AS sessions, sum(login_attempts) AS login_attempts, sum(command_count) AS commands,
    sum(download_count) AS downloads, min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM session_metrics GROUP BY src_ip ORDER BY sessions DESC, commands DESC, src_ip`;

/** The same in PostgreSQL: texts bytewise, NULLs as SQLite places them. */
export const OLD_SUMMARY_PG = `SELECT * FROM (${OLD_SUMMARY.replace('ORDER BY period', '')}) AS s ORDER BY period COLLATE "C" NULLS FIRST`;
export const OLD_TOP_IPS_PG = OLD_TOP_IPS.replace('min(first_seen)', 'min(first_seen COLLATE "C")')
  .replace('max(last_seen)', 'max(last_seen COLLATE "C")')
  .replace('ORDER BY sessions DESC, commands DESC, src_ip', 'ORDER BY sessions DESC, commands DESC NULLS LAST, src_ip COLLATE "C" NULLS FIRST');
