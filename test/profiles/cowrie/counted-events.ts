import { mulberry32 } from '../../helpers/prng.js';

/** `n` characters that do not compress (base64 of random bytes): longer than any btree entry may be. */
function randomText(rnd: () => number, n: number): string {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256))).toString('base64').slice(0, n);
}

/**
 * Command and login events that make every rule of the report counts count: the same input or pair
 * in many sessions and several times in one, spread over the stream (so over batches and runs); a
 * command without input, an empty one, tabs and newlines; logins without user name or password,
 * empty ones, pairs whose texts run together alike (`a`+`bc`, `ab`+`c`), logins of no session;
 * texts of several KB; and duplicates, near and far. Other events between them.
 */
export function countedEvents(count: number, seed: number): unknown[] {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const longInputs = [randomText(rnd, 5000), randomText(rnd, 3000)];
  const longPasswords = [randomText(rnd, 4000)];
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${(int(60) + 1).toString(16).padStart(8, 'a')}beef`;
    const t = new Date(Date.UTC(2024, 0, 1) + int(3_600_000)).toISOString();
    const e: Record<string, unknown> = { timestamp: rnd() < 0.03 ? undefined : t };
    const kind = int(8);
    if (kind <= 2) {
      Object.assign(e, { eventid: 'cowrie.command.input', session: id });
      const input = pick(['ls -la', 'echo "a\tb"\nwhoami', '', 'uname -a', undefined, ...longInputs]);
      if (input !== undefined) e.input = input;
    } else if (kind <= 5) {
      Object.assign(e, { eventid: rnd() < 0.3 ? 'cowrie.login.success' : 'cowrie.login.failed' });
      // A login of no session at all (no field names one): counted as an attempt, in no session.
      if (rnd() < 0.9) e.session = id;
      const username = pick(['root', 'a', 'ab', '', undefined, 'admin']);
      const password = pick(['bc', 'c', '', undefined, 'x', ...longPasswords]);
      if (username !== undefined) e.username = username;
      if (password !== undefined) e.password = password;
    } else if (kind === 6) Object.assign(e, { eventid: 'cowrie.session.connect', session: id, src_ip: `10.0.0.${int(9)}` });
    else Object.assign(e, { eventid: 'cowrie.session.closed', session: id, duration: 1.5 });
    e.n = i; // the same fields at another place are another event
    out.push(e);
    if (rnd() < 0.05) out.push(e);
    if (rnd() < 0.05 && out.length > 50) out.push(out[int(out.length - 1)]);
  }
  return out;
}

/** The reports' raw-row form, as they were before the counts (SQLite's text): the oracle. */
export const RAW_TOP_COMMANDS = `SELECT input, count(*) AS times, count(DISTINCT session_id) AS sessions
  FROM session_commands GROUP BY input ORDER BY times DESC, input`;
export const RAW_CREDENTIALS = `SELECT username, password, count(*) AS attempts,
    count(CASE WHEN eventid = 'cowrie.login.success' THEN 1 END) AS successes, count(DISTINCT session_id) AS sessions
  FROM cowrie_events WHERE eventid IN ('cowrie.login.failed', 'cowrie.login.success')
  GROUP BY username, password ORDER BY attempts DESC, successes DESC, username, password`;

/** The same in PostgreSQL: texts ordered bytewise, NULLs first, as SQLite orders them. */
export const RAW_TOP_COMMANDS_PG = RAW_TOP_COMMANDS.replace('ORDER BY times DESC, input', 'ORDER BY times DESC, input COLLATE "C" NULLS FIRST');
export const RAW_CREDENTIALS_PG = RAW_CREDENTIALS.replace(
  'ORDER BY attempts DESC, successes DESC, username, password',
  'ORDER BY attempts DESC, successes DESC, username COLLATE "C" NULLS FIRST, password COLLATE "C" NULLS FIRST',
);
