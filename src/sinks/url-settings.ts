import type { z } from 'zod';

/**
 * The settings a sink URL carries in its query (`nats://host:4222/logs?stream=LOGS&maxInFlight=512`):
 * parameters named like fields of the sink's settings schema, turned into numbers or booleans where
 * the field is one. Other parameters stay the sink's own business (`postgres://…?schema=NAME`). A
 * setting of a new sink is thus given without a flag, a config field or a job change.
 */
export function urlSettings(url: string, settings: z.ZodType): Record<string, unknown> {
  const shape = (settings as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return {};
  let query: URLSearchParams;
  try {
    query = new URL(url).searchParams;
  } catch {
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, raw] of query) {
    const field = shape[key];
    if (!field) continue;
    const kind = baseKind(field);
    out[key] = kind === 'number' ? Number(raw) : kind === 'boolean' ? raw === 'true' || raw === '1' : raw;
  }
  return out;
}

/** The type of a field under its optional/default/nullable wrappers (`string`, `number`, `boolean`, ...). */
function baseKind(field: z.ZodType): string {
  let def = (field as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
  while ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) {
    def = (def.innerType as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
  }
  return def.type;
}
