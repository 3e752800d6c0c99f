import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { escapePath, glob, isDynamicPattern } from 'tinyglobby';

/** One file a follow pattern matches, with the date its name carries (if any). */
export interface PatternMatch {
  path: string;
  /** `YYYYMMDD` from the name, or null for an undated name (a live file like `cowrie.json`). */
  date: string | null;
}

/** Each token's regex group name and pattern; a token used twice must match the same text. */
const TOKENS: Record<string, { group: string; regex: string }> = {
  '{YYYYMMDD}': { group: 'ymd', regex: '\\d{8}' },
  '{YYYY}': { group: 'y', regex: '\\d{4}' },
  '{MM}': { group: 'm', regex: '\\d{2}' },
  '{DD}': { group: 'd', regex: '\\d{2}' },
};
const TOKEN_RE = /\{YYYYMMDD\}|\{YYYY\}|\{MM\}|\{DD\}/g;
const DATE_IN_NAME = /(\d{4})-?(\d{2})-?(\d{2})/;

/**
 * A follow PATTERN: a path with date tokens (`logs/bridge_{YYYYMMDD}.ndjson`; `{YYYY}`, `{MM}`,
 * `{DD}`, `{YYYYMMDD}`) or a glob. Matches are ordered by the date in their name, then by name; an
 * undated name sorts last, as the live file of a rotation scheme (`cowrie.json` beside
 * `cowrie.json.2026-11-24`) is the newest.
 */
export class DatePattern {
  private readonly glob: string;
  private readonly matcher: RegExp | null;
  /** When only the file name varies: a regex for it, so listing is one readdir of `folder`. */
  private readonly nameMatcher: RegExp | null;

  constructor(readonly pattern: string) {
    const hasTokens = hasToken(pattern);
    // Literal parts of a token pattern are escaped for the glob (a folder may be called "logs (old)").
    this.glob = hasTokens ? splitTokens(pattern).map((part) => (part.token ? '*' : escapePath(part.text))).join('') : pattern;
    this.matcher = hasTokens ? new RegExp(`^${tokenRegex(resolve(pattern))}$`) : null;
    const name = basename(pattern);
    const onlyNameVaries = this.folder === dirname(resolve(pattern));
    this.nameMatcher = !onlyNameVaries
      ? null
      : hasTokens
        ? new RegExp(`^${tokenRegex(name)}$`)
        : /[{}()!+@]/.test(name)
          ? null
          : new RegExp(`^${escapeGlobPart(name).replace(/\\\[/g, '[').replace(/\\\]/g, ']')}$`);
  }

  /**
   * Whether a name seen in the watched folder could be one of ours (a file-system event for the
   * database or the status file beside the logs must not make the follower list the folder again).
   */
  mightMatch(name: string): boolean {
    return this.nameMatcher === null || this.nameMatcher.test(name);
  }

  /** The folder to watch: the longest leading part without tokens or glob characters (never the file). */
  get folder(): string {
    let dir = dirname(resolve(this.pattern));
    const tokens = hasToken(this.pattern);
    // Literal parts of a token pattern are not globs (they are escaped), so only tokens count there.
    while (dir !== dirname(dir) && (tokens ? hasToken(dir) : isDynamicPattern(dir))) dir = dirname(dir);
    return dir;
  }

  /** The files that match now, oldest first. */
  async list(): Promise<PatternMatch[]> {
    const matches: PatternMatch[] = [];
    for (const path of await this.paths()) {
      const date = this.dateOf(path);
      if (date !== undefined) matches.push({ path, date });
    }
    return matches.sort(compareMatches);
  }

  /** Matching paths: one readdir when only the name varies, else a glob rooted at `folder`. */
  private async paths(): Promise<string[]> {
    if (!isDynamicPattern(this.glob)) return existsSync(this.glob) && statSync(this.glob).isFile() ? [resolve(this.glob)] : [];
    const folder = this.folder;
    if (this.nameMatcher) {
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      return entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && this.nameMatcher?.test(e.name)).map((e) => join(folder, e.name));
    }
    // Rooted at the folder, so the walk never starts at the working directory or `/`.
    const relativePattern = relative(folder, resolve(this.glob)).split(sep).join('/');
    return glob(relativePattern, { cwd: folder, onlyFiles: true, absolute: true, expandDirectories: false, followSymbolicLinks: false });
  }

  /** The date in a matched name; undefined when the name does not fit the token pattern. */
  private dateOf(path: string): string | null | undefined {
    if (this.matcher) {
      const m = this.matcher.exec(resolve(path));
      if (!m) return undefined;
      const g = m.groups ?? {};
      if (g.ymd) return g.ymd;
      if (g.y) return `${g.y}${g.m ?? '01'}${g.d ?? '01'}`;
      return null;
    }
    const m = DATE_IN_NAME.exec(basename(path));
    return m ? `${m[1]}${m[2]}${m[3]}` : null;
  }
}

function compareMatches(a: PatternMatch, b: PatternMatch): number {
  if (a.date !== b.date) {
    if (a.date === null) return 1;
    if (b.date === null) return -1;
    return a.date < b.date ? -1 : 1;
  }
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function hasToken(s: string): boolean {
  return splitTokens(s).some((p) => p.token);
}

/** A pattern as literal text and tokens, in order. */
function splitTokens(pattern: string): Array<{ text: string; token: boolean }> {
  const parts: Array<{ text: string; token: boolean }> = [];
  let last = 0;
  for (const m of pattern.matchAll(TOKEN_RE)) {
    if ((m.index ?? 0) > last) parts.push({ text: pattern.slice(last, m.index), token: false });
    parts.push({ text: m[0], token: true });
    last = (m.index ?? 0) + m[0].length;
  }
  if (last < pattern.length) parts.push({ text: pattern.slice(last), token: false });
  return parts;
}

function tokenRegex(pattern: string): string {
  const seen = new Set<string>();
  return splitTokens(pattern)
    .map((part) => {
      if (!part.token) return escapeGlobPart(part.text);
      const t = TOKENS[part.text];
      if (!t) return '';
      if (seen.has(t.group)) return `\\k<${t.group}>`;
      seen.add(t.group);
      return `(?<${t.group}>${t.regex})`;
    })
    .join('');
}

/** Literal text of a pattern as regex, with `*` and `?` keeping their glob meaning. */
function escapeGlobPart(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
}
