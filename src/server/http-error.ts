/**
 * Every error answer of the upload service: a stable `code` (documented in the README), the HTTP
 * status it maps to, and a message that says what to send instead.
 */
export const HTTP_ERRORS = {
  unauthorized: 401,
  not_multipart: 415,
  bad_multipart: 400,
  unexpected_field: 400,
  too_many_files: 400,
  too_many_parts: 400,
  metadata_missing: 400,
  metadata_invalid_json: 400,
  metadata_not_object: 400,
  metadata_forbidden_key: 400,
  metadata_bad_ldo_id: 400,
  metadata_too_deep: 400,
  metadata_too_large: 413,
  video_too_large: 413,
  unsupported_media_type: 415,
  ldo_conflict: 409,
  bad_query: 400,
  not_found: 404,
  range_not_satisfiable: 416,
  request_too_slow: 408,
  client_aborted: 499,
  internal: 500,
  registry_unavailable: 503,
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** An error answered as `{"code", "message", "statusCode", ...extra}`; never retried blindly. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  readonly statusCode: number;
  /** Extra fields of the JSON answer (e.g. the existing `id` of a 409). */
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(code: HttpErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
    this.statusCode = HTTP_ERRORS[code];
    this.extra = extra;
  }

  /** The JSON body of the answer. */
  toJSON(): Record<string, unknown> {
    return { statusCode: this.statusCode, code: this.code, message: this.message, ...this.extra };
  }
}
