import { SluiceError } from '../../core/errors.js';

/** A `nats://HOST:PORT/NAME` URL taken apart. */
export interface NatsAddress {
  /** `HOST:PORT` for the client (4222 when the URL names no port). */
  server: string;
  /** The path without its `/`: a subject (the sink) or a stream (`sluice consume`). */
  name: string;
  /** The URL without credentials, for logs. */
  display: string;
  /** `user:password` or a token from the URL, when it has them. */
  user?: string | undefined;
  pass?: string | undefined;
}

/** Parses `nats://[user:pass@]HOST[:PORT]/NAME`; `what` names the path in errors (`SUBJECT`, `STREAM`). */
export function parseNatsUrl(url: string, what: string): NatsAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SluiceError('SLUICE_E_CONFIG', `--into ${url}: expected nats://HOST:PORT/${what}`);
  }
  const name = decodeURIComponent(u.pathname.replace(/^\/+/, ''));
  if (u.protocol !== 'nats:' || u.hostname === '' || name === '' || name.includes('/')) {
    throw new SluiceError('SLUICE_E_CONFIG', `${url}: expected nats://HOST:PORT/${what}`);
  }
  const server = `${u.hostname}:${u.port === '' ? '4222' : u.port}`;
  return {
    server,
    name,
    display: `nats://${server}/${name}`,
    user: u.username === '' ? undefined : decodeURIComponent(u.username),
    pass: u.password === '' ? undefined : decodeURIComponent(u.password),
  };
}

/** Whether a subject is one a message can be published on (no wildcards, no empty tokens). */
export function isPublishSubject(subject: string): boolean {
  return /^[^\s.*>]+(\.[^\s.*>]+)*$/.test(subject);
}

/** The default stream of a subject: its first token (`sluice.bridge` → `sluice`). */
export function defaultStreamOf(subject: string): string {
  return subject.split('.')[0] ?? subject;
}

/** Whether `subject` is matched by `pattern` (NATS wildcards: `*` one token, `>` the rest). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
