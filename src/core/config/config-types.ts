import { z } from 'zod';

/** A whole number within bounds; flags arrive as strings, so both are accepted. */
export function count(min: number, max: number) {
  return z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` });
}
