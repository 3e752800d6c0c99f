/**
 * One catalogue of every error Sluice raises on purpose. Each code has a stable name, the exit code
 * it maps to and a hint that tells the user what to do. The README's troubleshooting table is checked
 * against this list by a test.
 */
export const ERROR_CATALOGUE = {
  SLUICE_E_USAGE: { exit: 2, hint: 'Check the flags with `sluice <command> --help`.' },
  SLUICE_E_CONFIG: { exit: 2, hint: 'Fix the named option (flag, environment variable or config file).' },
  SLUICE_E_NO_INPUT: { exit: 2, hint: 'Check the path or glob; quote globs so the shell does not expand them.' },
  SLUICE_E_UNKNOWN_PROFILE: { exit: 2, hint: 'Use one of the profiles that `sluice ingest --help` lists.' },
  SLUICE_E_UNKNOWN_SINK: { exit: 2, hint: 'Use --db PATH or --into sqlite:PATH.' },
  SLUICE_E_UNSUPPORTED_SINK: { exit: 2, hint: 'Choose one of the sinks the message lists for this profile, or another --profile.' },
  SLUICE_E_SCHEMA_TOO_NEW: {
    exit: 1,
    hint: 'The database was written by a newer Sluice. Upgrade Sluice, or point --db at another file.',
  },
  SLUICE_E_SCHEMA_CONFLICT: {
    exit: 1,
    hint: 'The database already holds a table of another shape. Use a fresh --db file for this profile.',
  },
  SLUICE_E_NATIVE_MODULE: {
    exit: 1,
    hint: 'Run `npm rebuild better-sqlite3` in the Sluice folder with the Node.js you run it with (it needs python3, make and g++).',
  },
  SLUICE_E_SINK: {
    exit: 1,
    hint: 'Check that the database path or URL is right, reachable and writable.',
    causes: ['not_a_database', 'bad_answer', 'lost_connection'],
  },
  SLUICE_E_SOURCE: {
    exit: 1,
    hint: 'A unit could not be read; check that the file exists and is readable.',
    causes: ['not_gzip', 'broken_gzip', 'broken_zip', 'not_sqlite', 'needs_file', 'unit_changed', 'unit_too_large', 'no_space', 'lost_connection', 'bad_answer'],
  },
  SLUICE_E_LOCKED: {
    exit: 1,
    hint: 'Another Sluice run (pid in the message) writes to this database and dead-letter file; wait for it to end, or stop it.',
  },
  SLUICE_E_WORKER: { exit: 1, hint: 'A worker thread (parsing input, or the NATS client and message decoding of consume) failed; this is a bug, please report it with the input.' },
  SLUICE_E_UNKNOWN_UNIT: { exit: 2, hint: 'List the units with `sluice jobs list` and the same --ledger / --db.' },
  SLUICE_E_UNKNOWN_REPORT: { exit: 2, hint: 'Use one of the reports that `sluice report --list` names.' },
  SLUICE_E_NO_DATABASE: {
    exit: 2,
    hint: 'Check --db (a path, sqlite:PATH or postgres://…?schema=NAME) and that the server answers; a database is made by `sluice ingest FILE --db PATH|--into URL`.',
  },
  SLUICE_E_REPORT: { exit: 1, hint: 'A report query or its output failed; see the cause above.' },
  SLUICE_E_AUTH_REQUIRED: {
    exit: 2,
    hint: 'Set SLUICE_API_KEYS (comma-separated keys), bind --host 127.0.0.1, or pass --no-auth on a trusted network.',
  },
  SLUICE_E_REGISTRY: { exit: 1, hint: 'The LDO registry (--registry) could not be opened or written; see the cause.' },
  SLUICE_E_STORE: { exit: 1, hint: 'The LDO store (--store) could not be read or written; check the folder or bucket and credentials.' },
  SLUICE_E_ARCHIVE: { exit: 1, hint: 'The archival run stopped; run the same command again: it resumes without duplicates.' },
  SLUICE_E_ENRICH: {
    exit: 1,
    hint: 'Some lookups failed (see the summary); answers got so far are kept, and the failed keys are retried on the next run.',
  },
} as const satisfies Record<string, { exit: number; hint: string; causes?: readonly SluiceErrorCause[] }>;

export type SluiceErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * Hints for known causes within a code, where the code's own hint would point the wrong way (a file
 * that is there but not what its name says is no "check that it exists"; a database file that is not
 * a database is no "check the path"). Each cause is listed under the codes it refines (`causes`), and
 * a test checks that every error thrown with a cause uses one of its code's.
 */
export const CAUSE_HINTS = {
  not_gzip: 'The file is named .gz but holds no gzip data: compress it, or rename it without .gz.',
  broken_gzip: 'The file is gzip but its compressed data is damaged or cut short: get a good copy of it (it is there and readable; its content is broken).',
  broken_zip: 'The .db.zip is damaged, or does not hold exactly one .db entry: get a good copy of it; the other units go on.',
  not_sqlite: 'The unit is not a SQLite database with the expected table: check what produced it; the other units go on.',
  needs_file: 'Zip and SQLite data are read from a file (they need random access), not from standard input: give the file\'s path instead of piping it.',
  unit_changed: 'The unit was replaced after it was read: it is kept where it is, and the next run ingests the new content.',
  not_a_database: 'The file is not a SQLite database (or is damaged): point --db at a new file or at the right database.',
  bad_answer: 'The server answered in a way Sluice cannot use (see the message): check its health and version; nothing after the last commit counts as done, so run again once it is fixed.',
  lost_connection: 'Nothing committed is lost: run the same command again and it goes on from the committed cursors.',
  unit_too_large:
    'The unit unpacks to more than --max-unit-bytes (a zip bomb, or a real database that big): it is FAILED and the other units went on; raise --max-unit-bytes if it is genuine, then `sluice jobs retry`.',
  no_space: 'Not enough free disk space in the temp folder to unpack the unit: free some, or set TMPDIR to a bigger disk; the unit is retried.',
} as const;

export type SluiceErrorCause = keyof typeof CAUSE_HINTS;

/** The one error type Sluice throws on purpose: a stable code, a message that says what to fix. */
export class SluiceError extends Error {
  readonly code: SluiceErrorCode;
  /** The known cause, when its hint fits better than the code's. */
  readonly because: SluiceErrorCause | undefined;

  constructor(code: SluiceErrorCode, message: string, options?: { cause?: unknown; because?: SluiceErrorCause }) {
    super(message, options);
    this.name = 'SluiceError';
    this.code = code;
    this.because = options?.because;
  }

  /** The process exit code this error maps to (2 = bad usage or config, 1 = failure). */
  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exit;
  }

  /** What the user should do about it. */
  get hint(): string {
    return this.because === undefined ? ERROR_CATALOGUE[this.code].hint : CAUSE_HINTS[this.because];
  }
}

/** Exit codes, as ARCHITECTURE.md defines them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  deadLettered: 3,
  sigint: 130,
  sigterm: 143,
} as const;
