import { z } from 'zod';

/** Whether `name` is an IANA time zone this Node.js knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** `--tz`: an IANA time zone name for timestamps written without a zone; UTC by default. */
export function timeZone() {
  return z
    .string()
    .refine(isTimeZone, { error: 'expected an IANA time zone name, e.g. UTC, Europe/Berlin or America/Chicago' })
    .default('UTC');
}
