import type { z } from 'zod';
import { SluiceError } from '../errors.js';

/**
 * Validates raw options against a component's schema once, at the edge. Every problem is listed in
 * one error, each named by the flag the user typed (`batchSize` → `--batch-size`). The result is frozen.
 */
export function validateConfig<S extends z.ZodType>(schema: S, raw: unknown): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return Object.freeze(parsed.data);
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.');
    const flag = key === '' ? 'options' : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return `${flag}: ${issue.message}`;
  });
  throw new SluiceError('SLUICE_E_CONFIG', problems.join('\n'));
}
