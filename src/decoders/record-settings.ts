import { z } from 'zod';

/**
 * The settings of a record decoder: the longest record it accepts (`--max-line-bytes`), with its own
 * default and the words for what a record is (a line, an element of the array).
 */
export function recordDecoderSettings(defaultBytes: number, description: string) {
  return z
    .object({
      maxRecordBytes: z
        .number()
        .int()
        .min(16)
        .max(1 << 30)
        .default(defaultBytes)
        .describe(description)
        .meta({ example: defaultBytes }),
    })
    .strict();
}
