import { isConnectionLost } from '../db/postgres/pg-transient.js';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';
import { cutOffReason } from './transfer-rate-guard.js';

const BY_FASTIFY_CODE: Record<string, () => HttpError> = {
  FST_INVALID_MULTIPART_CONTENT_TYPE: () => new HttpError('not_multipart', 'send multipart/form-data with fields "metadata" and "video"'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new HttpError('not_multipart', 'send multipart/form-data with fields "metadata" and "video"'),
  FST_REQ_FILE_TOO_LARGE: () => new HttpError('video_too_large', 'the video is over the limit (--max-video-mb)'),
  FST_PARTS_LIMIT: () => new HttpError('too_many_parts', 'send only the "metadata" and "video" fields'),
  FST_FILES_LIMIT: () => new HttpError('too_many_files', 'send one video file at most'),
  FST_FIELDS_LIMIT: () => new HttpError('too_many_parts', 'send only the "metadata" and "video" fields'),
  FST_PROTO_VIOLATION: () => new HttpError('unexpected_field', 'send only the "metadata" and "video" fields'),
  FST_INVALID_JSON_FIELD_ERROR: () => new HttpError('metadata_invalid_json', 'metadata is not valid JSON (or has a "__proto__" key)'),
};

/** Any error of a request → the JSON error answered. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  const mapped = e.code ? BY_FASTIFY_CODE[e.code] : undefined;
  if (mapped) return mapped();
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpError('bad_multipart', e.message ?? 'bad request');
  }
  // busboy's parse errors carry no code: a malformed or truncated form.
  if (typeof e.message === 'string' && /multipart|part|boundary|form/i.test(e.message) && !e.code) {
    return new HttpError('bad_multipart', `malformed multipart body: ${e.message}`);
  }
  // The PostgreSQL registry is restarting or unreachable: worth a retry, not a failure of the request.
  if (isConnectionLost(err)) return new HttpError('registry_unavailable', 'the registry database is unavailable; retry in a moment');
  return new HttpError('internal', 'the service failed; the request id is in the log');
}

/**
 * The error of a request whose connection ended before its body did: cut off by the server for
 * sending too slowly (`request_too_slow`), else closed by the client (`client_aborted`). Undefined
 * while the connection is up. Checked before `toHttpError`, because the error such a request fails
 * with (`aborted`, ECONNRESET, a premature close) says nothing of who closed it.
 */
export function connectionEndedError(raw: IncomingMessage): HttpError | undefined {
  const socket = raw.socket;
  if (raw.complete || !(raw.destroyed || socket?.destroyed)) return undefined;
  if (cutOffReason(socket) === 'request_too_slow') {
    return new HttpError('request_too_slow', 'the request body arrived slower than --min-bytes-per-sec; the connection was closed');
  }
  return new HttpError('client_aborted', 'the client closed the connection before the request was complete');
}
