/**
 * A record that could not be used. Bad data is not an exception: it is a value that flows to the
 * dead-letter file, one NDJSON line each, and is counted.
 */
export interface BadRecord {
  /** The unit (file path, `-` for stdin) it came from. */
  file: string;
  /** 1-based line number (or element index + 1 for array decoders). */
  line: number;
  /** Byte offset of the record's first byte in the (decompressed) unit. */
  offset: number;
  /** Why it was refused, machine-readable first word: `invalid_json: ...`, `missing_key: ...`. */
  reason: string;
  /** The raw text as read (the head only for an oversized line). */
  raw: string;
}

/** Bad-record reasons that start with these words, so dead letters can be grouped with `jq`. */
export const BAD_REASON = {
  invalidJson: 'invalid_json',
  notAnObject: 'not_an_object',
  invalidUtf8: 'invalid_utf8',
  lineTooLong: 'line_too_long',
  truncated: 'truncated',
  missingKey: 'missing_key',
  wrongType: 'wrong_type',
  tooDeep: 'too_deep',
  duplicateKey: 'duplicate_key',
  truncatedGzip: 'truncated_gzip',
  invalidGzip: 'invalid_gzip',
} as const;
