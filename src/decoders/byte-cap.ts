import { Transform } from 'node:stream';

/**
 * A pass-through that counts the bytes that really flow (never a header's word for it) and fails
 * with `tooMany()` as soon as they pass `maxBytes`, so nothing past the cap is written.
 */
export function byteCap(maxBytes: number, tooMany: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(tooMany());
      else callback(null, chunk);
    },
  });
}
