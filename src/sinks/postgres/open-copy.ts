import type { from as copyFrom } from 'pg-copy-streams';

const UNIQUE_VIOLATION = '23505';
const EXCLUSION_VIOLATION = '23P01';

export type CopyStream = ReturnType<typeof copyFrom>;

/** A COPY in progress, and its first error (the server refused a row; the stream is unusable then). */
export interface OpenCopy {
  table: number;
  /** Into the table's staging table (else straight into the table). */
  staging: boolean;
  stream: CopyStream;
  /** Settles when the COPY ended: resolved, or rejected with its first error. */
  done: Promise<void>;
  error?: Error | undefined;
}

/** A row refused as `ON CONFLICT DO NOTHING` would skip it: a duplicate key, an exclusion constraint. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === UNIQUE_VIOLATION || code === EXCLUSION_VIOLATION;
}

/** Follows a COPY: its first error is kept (and later ones, e.g. of end() on a dead stream, swallowed). */
export function openCopy(table: number, staging: boolean, stream: CopyStream): OpenCopy {
  const copy: OpenCopy = { table, staging, stream, done: Promise.resolve() };
  copy.done = new Promise<void>((resolve, reject) => {
    stream.on('finish', () => resolve());
    stream.on('error', (err: Error) => {
      copy.error ??= err;
      reject(copy.error);
    });
  });
  copy.done.catch(() => undefined); // awaited by whoever ends the COPY
  return copy;
}
