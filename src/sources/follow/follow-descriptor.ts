import { z } from 'zod';
import type { StreamSourceDescriptor } from '../source-descriptor.js';
import { DatePattern } from './date-pattern.js';
import { FollowSource } from './follow-source.js';

const FollowSettings = z
  .object({
    pollMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(200)
      .describe('fallback poll interval when file-system events are missed, in ms (--poll-ms)')
      .meta({ example: 200 }),
    idleCloseSec: z
      .number()
      .int()
      .min(0)
      .max(86_400 * 7)
      .default(60)
      .describe('an older file is closed once idle this long and fully read, in seconds (--idle-close-sec)')
      .meta({ example: 60 }),
    fromEnd: z
      .boolean()
      .default(false)
      .describe('files with no cursor yet are read from their end instead of their start (--from-end)')
      .meta({ example: false }),
  })
  .strict();

/** A dated pattern tailed across rollovers until stopped (`sluice follow`). */
export const followSourceDescriptor: StreamSourceDescriptor<typeof FollowSettings> = {
  name: 'follow',
  schemes: [],
  summary: 'the files of a dated pattern, the newest tailed across day rollovers, until stopped',
  example: 'logs/bridge_{YYYYMMDD}.ndjson',
  settings: FollowSettings,
  capabilities: { endless: true, ledgerUnits: false, resumesMidUnit: true, rows: false },
  // The pattern's folder (the part before its first date token or glob), whether or not files match yet.
  folderOf: (inputs) => new DatePattern(inputs[0] ?? '').folder,
  create(inputs, settings, parts) {
    const pattern = inputs[0] ?? '';
    return Promise.resolve(() => new FollowSource({ pattern: new DatePattern(pattern), parse: parts.parse, ...settings }));
  },
};
